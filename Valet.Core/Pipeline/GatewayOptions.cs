namespace Valet.Core.Pipeline;

/// <summary>Daemon-wide settings of the request path.</summary>
public sealed class GatewayOptions
{
    /// <summary>How long an endpoint is skipped after a connect failure or a timeout.</summary>
    public TimeSpan HealthCooldown { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Aggregate parts running at once across all requests; a part past this bound waits for a
    /// slot (within its timeouts). With at most 16 parts per aggregate, this bounds the fan-out.
    /// </summary>
    public int MaxAggregatePartsInFlight { get; init; } = 1024;

    /// <summary>
    /// The HTTPS listener's port, for redirects of <c>https: "only"</c> apps; null when Valet has no
    /// HTTPS listener (the redirect then goes to 443, for a TLS terminator in front). Set once the
    /// listener is bound, since port 0 picks one.
    /// </summary>
    public int? HttpsPort { get; set; }

    /// <summary>
    /// Which client carries requests without a body to plain-HTTP/1.1 endpoints: Valet's own
    /// (<see cref="UpstreamClient.Valet"/>, the default) or SocketsHttpHandler, which carries
    /// everything else either way.
    /// </summary>
    public UpstreamClient UpstreamClient { get; init; } = UpstreamClient.Valet;

    /// <summary>
    /// Whether Valet's own HTTP/1.1 client runs its connections on the event loops
    /// (<see cref="Networking.EventLoop"/>) rather than .NET's socket engine.
    /// </summary>
    public bool EventLoops { get; init; }
}

/// <summary>The <c>--upstream-client</c> choice.</summary>
public enum UpstreamClient
{
    /// <summary>Valet's own HTTP/1.1 client for bodyless requests to <c>http</c> HTTP/1.1 endpoints.</summary>
    Valet,

    /// <summary>SocketsHttpHandler for every request.</summary>
    Sockets,
}
