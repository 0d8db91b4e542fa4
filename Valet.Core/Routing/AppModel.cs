using System.Collections.Frozen;
using Valet.Core.Auth;
using Valet.Core.Configuration;
using Valet.Core.Cors;
using Valet.Core.Forwarding;
using Valet.Core.LoadBalancing;
using Valet.Core.RateLimiting;

namespace Valet.Core.Routing;

/// <summary>
/// The compiled, immutable view of one app in a <see cref="RouteTable"/>. Its runtime state
/// (<see cref="State"/>, each endpoint's health) is shared with the app's earlier and later models.
/// </summary>
public sealed class AppModel
{
    public AppModel(AppConfig config, string sourceFile, string revision, AppState state)
    {
        Config = config;
        SourceFile = sourceFile;
        Revision = revision;
        State = state;
        Endpoints = config.Endpoints.Select(e => new EndpointModel(e, state.Endpoint(e.Key))).ToArray();
        state.RetainEndpoints(config.Endpoints.Select(e => e.Key).ToHashSet(StringComparer.Ordinal));
        Mocks = config.Mocks.Select(m => new MockModel(m)).ToArray();
        Methods = config.Methods?.ToFrozenSet(StringComparer.Ordinal);
        AllowHeader = config.Methods is null ? "" : string.Join(", ", config.Methods);
        Timeout = TimeSpan.FromSeconds(config.Timeout);
        Authenticator = config.Authorize ? new ApiKeyAuthenticator(config) : null;
        RateLimit = config.RateLimit ? new RateLimitModel(config.Name, config.LimitValue, config.LimitPeriod, config.LimitBy, config.PartitionPolicy) : null;
        Cors = config.Cors is null ? null : new CorsPolicy(config.Cors, config.Methods);
        StripRequestHeaders = config.StripRequestHeaders.Count == 0 ? HeaderFilter.None : new HeaderFilter(config.StripRequestHeaders);
        StripResponseHeaders = config.StripResponseHeaders.Count == 0 ? HeaderFilter.None : new HeaderFilter(config.StripResponseHeaders);
    }

    /// <summary>API-key check, or null when the app is public.</summary>
    public ApiKeyAuthenticator? Authenticator { get; }

    /// <summary>Rate-limit settings, or null when the app is not limited.</summary>
    public RateLimitModel? RateLimit { get; }

    /// <summary>CORS settings, or null when preflights go to the endpoints like any request.</summary>
    public CorsPolicy? Cors { get; }

    public long? MaxBodyBytes => Config.MaxBodyBytes;

    /// <summary>Request headers removed before forwarding (besides hop-by-hop, the key header and client-sent X-Valet-*).</summary>
    public HeaderFilter StripRequestHeaders { get; }

    /// <summary>Backend response headers removed before answering.</summary>
    public HeaderFilter StripResponseHeaders { get; }

    public string Name => Config.Name;

    public AppConfig Config { get; }

    /// <summary>Full path of the file the app was read from.</summary>
    public string SourceFile { get; }

    /// <summary>Content hash of the app file (the admin API's ETag).</summary>
    public string Revision { get; }

    public AppState State { get; }

    public EndpointModel[] Endpoints { get; }

    public MockModel[] Mocks { get; }

    /// <summary>Allowed methods, or null when every method is allowed.</summary>
    public FrozenSet<string>? Methods { get; }

    /// <summary>Value of the <c>Allow</c> header on a 405.</summary>
    public string AllowHeader { get; }

    public TimeSpan Timeout { get; }

    public ILoadBalancingPolicy LoadBalancing { get; } = RoundRobinPolicy.Instance;

    /// <summary>An app with mocks and no endpoints answers unmatched requests with 404.</summary>
    public bool IsMockOnly => Endpoints.Length == 0;

    public bool AllowsMethod(string method) => Methods is null || Methods.Contains(method);

    /// <summary>The first mock, in config order, that serves this request; null when none does.</summary>
    public MockModel? MatchMock(string method, ReadOnlySpan<char> path)
    {
        foreach (var mock in Mocks)
        {
            if (mock.Matches(method, path)) return mock;
        }

        return null;
    }
}
