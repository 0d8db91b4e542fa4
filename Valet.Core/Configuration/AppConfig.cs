namespace Valet.Core.Configuration;

/// <summary>
/// One backend application, as read from one <c>conf/*.json</c> file. Immutable input: the
/// route table is compiled from it, and a change is a new instance swapped in.
/// Field names follow the original design notes (<c>name, description, authorize, authKey,
/// authHeader, rateLimit, limitValue, endpoints</c>).
/// </summary>
public sealed record AppConfig
{
    public const string DefaultAuthHeader = "X-Valet-Auth";
    public const double DefaultTimeoutSeconds = 30;
    public const int DefaultLimitPeriodSeconds = 60;
    public const string DefaultLoadBalancing = "roundRobin";
    public const double DefaultWebSocketIdleTimeoutSeconds = 300;

    /// <summary>Consumer id given to the seed's single <c>authKey</c>.</summary>
    public const string DefaultConsumerId = "default";

    public required string Name { get; init; }
    public string Description { get; init; } = "";
    /// <summary>Whether API keys are required: the seed's <c>authorize</c>, or <c>auth.type: "apiKey"</c>.</summary>
    public bool Authorize { get; init; }

    /// <summary>The <c>auth</c> object; null when only the seed fields (API keys) are used.</summary>
    public AuthConfig? Auth { get; init; }

    public string? AuthKey { get; init; }
    public string AuthHeader { get; init; } = DefaultAuthHeader;
    public bool RateLimit { get; init; }
    public long LimitValue { get; init; }
    public IReadOnlyList<EndpointConfig> Endpoints { get; init; } = [];

    /// <summary>Consumers and their keys (<c>keys</c>); with <see cref="AuthKey"/> they form the accepted keys.</summary>
    public IReadOnlyList<ConsumerConfig> Keys { get; init; } = [];

    /// <summary>Window length in seconds; windows are aligned on the Unix epoch.</summary>
    public int LimitPeriod { get; init; } = DefaultLimitPeriodSeconds;

    public LimitBy LimitBy { get; init; } = LimitBy.App;

    /// <summary>What the limit does while a cluster peer is unreachable (<c>partitionPolicy</c>).</summary>
    public PartitionPolicy PartitionPolicy { get; init; } = PartitionPolicy.Share;

    public CorsConfig? Cors { get; init; }

    /// <summary>Largest request body accepted, in bytes; null = no limit.</summary>
    public long? MaxBodyBytes { get; init; }

    /// <summary>Response headers removed from backend answers: names, or prefixes ending with '*'.</summary>
    public IReadOnlyList<string> StripResponseHeaders { get; init; } = [];

    /// <summary>Request headers removed before forwarding: names, or prefixes ending with '*'.</summary>
    public IReadOnlyList<string> StripRequestHeaders { get; init; } = [];

    /// <summary>Allowed HTTP methods, upper case; null means every method.</summary>
    public IReadOnlyList<string>? Methods { get; init; }

    /// <summary>Seconds one upstream attempt may take until response headers arrive.</summary>
    public double Timeout { get; init; } = DefaultTimeoutSeconds;

    public IReadOnlyList<MockConfig> Mocks { get; init; } = [];

    /// <summary>Fan-out to other apps instead of endpoints and mocks; null for an ordinary app.</summary>
    public AggregateConfig? Aggregate { get; init; }

    /// <summary>Name of the policy that picks an endpoint (<c>roundRobin</c>, <c>leastRequests</c>).</summary>
    public string LoadBalancing { get; init; } = DefaultLoadBalancing;

    /// <summary>Client request headers an aggregate sends on to its parts (an allow-list).</summary>
    public IReadOnlyList<string> ForwardHeaders { get; init; } = AggregateConfig.DefaultForwardHeaders;

    /// <summary>Host names (lower case, maybe <c>*.</c>-prefixed) routed to this app with the whole path.</summary>
    public IReadOnlyList<string> Hosts { get; init; } = [];

    /// <summary>Per-path (and per-method) endpoints that replace the app's own.</summary>
    public IReadOnlyList<RouteConfig> Routes { get; init; } = [];

    /// <summary>The app's certificate for its hosts, or null for the daemon's default certificate.</summary>
    public TlsConfig? Tls { get; init; }

    public HttpsMode Https { get; init; } = HttpsMode.Both;

    /// <summary>gRPC services (<c>pkg.Service</c>) routed to this app by the <c>/pkg.Service/</c> path prefix, with the whole path.</summary>
    public IReadOnlyList<string> GrpcServices { get; init; } = [];

    /// <summary>Seconds a WebSocket tunnel may go without a byte either way before both sides are closed.</summary>
    public double WebSocketIdleTimeout { get; init; } = DefaultWebSocketIdleTimeoutSeconds;

    /// <summary>Digest of the other files the app reads (PEMs); part of its revision. "" when none.</summary>
    public string FilesDigest { get; init; } = "";
}
