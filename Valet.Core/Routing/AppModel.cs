using System.Collections.Frozen;
using Valet.Core.Aggregation;
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
        // Longest prefix first; at equal prefixes a route naming the method before one for any method.
        Routes = config.Routes
            .Select(r => new RouteModel(r, r.Endpoints.Select(e => new EndpointModel(e, state.Endpoint(e.Key))).ToArray()))
            .OrderByDescending(r => r.Prefix.Length).ThenBy(r => r.Methods is null)
            .ToArray();
        state.RetainEndpoints(config.Endpoints.Concat(config.Routes.SelectMany(r => r.Endpoints)).Select(e => e.Key).ToHashSet(StringComparer.Ordinal));
        Mocks = config.Mocks.Select(m => new MockModel(m)).ToArray();
        Methods = config.Methods?.ToFrozenSet(StringComparer.Ordinal);
        AllowHeader = config.Methods is null ? "" : string.Join(", ", config.Methods);
        Timeout = TimeSpan.FromSeconds(config.Timeout);
        WebSocketIdleTimeout = TimeSpan.FromSeconds(config.WebSocketIdleTimeout);
        Authenticator = AuthenticatorFactory.Create(config);
        RateLimit = config.RateLimit ? new RateLimitModel(config.Name, config.LimitValue, config.LimitPeriod, config.LimitBy, config.PartitionPolicy) : null;
        Cors = config.Cors is null ? null : new CorsPolicy(config.Cors, config.Methods);
        StripRequestHeaders = config.StripRequestHeaders.Count == 0 ? HeaderFilter.None : new HeaderFilter(config.StripRequestHeaders);
        StripResponseHeaders = config.StripResponseHeaders.Count == 0 ? HeaderFilter.None : new HeaderFilter(config.StripResponseHeaders);
        LoadBalancing = LoadBalancingPolicies.Resolve(config.LoadBalancing);
        Aggregate = config.Aggregate is null ? null : new AggregateModel(config.Aggregate, config.ForwardHeaders);
    }

    /// <summary>API key, basic, JWT or OIDC check, or null when the app is public.</summary>
    public IAuthenticator? Authenticator { get; }

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

    /// <summary>Routes in matching order: longest prefix first, then specific methods before any.</summary>
    public RouteModel[] Routes { get; }

    /// <summary>Allowed methods, or null when every method is allowed.</summary>
    public FrozenSet<string>? Methods { get; }

    /// <summary>Value of the <c>Allow</c> header on a 405.</summary>
    public string AllowHeader { get; }

    public TimeSpan Timeout { get; }

    /// <summary>How long a WebSocket tunnel may carry no byte either way before both sides are closed.</summary>
    public TimeSpan WebSocketIdleTimeout { get; }

    /// <summary>The policy that picks an endpoint, resolved once from <c>loadBalancing</c>.</summary>
    public ILoadBalancingPolicy LoadBalancing { get; }

    /// <summary>The fan-out of an aggregate app, or null for an app with endpoints or mocks.</summary>
    public AggregateModel? Aggregate { get; }

    /// <summary>An app with mocks and no endpoints answers unmatched requests with 404.</summary>
    public bool IsMockOnly => Endpoints.Length == 0 && Aggregate is null;

    public bool AllowsMethod(string method) => Methods is null || Methods.Contains(method);

    /// <summary>The route that serves this request: the longest matching prefix, then the method; null when none does.</summary>
    public RouteModel? MatchRoute(string method, ReadOnlySpan<char> path)
    {
        foreach (var route in Routes)
        {
            if (route.MatchesPath(path) && route.AllowsMethod(method)) return route;
        }

        return null;
    }

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
