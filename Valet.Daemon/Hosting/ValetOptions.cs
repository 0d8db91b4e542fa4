using System.Net;

namespace Valet.Daemon.Hosting;

/// <summary>Daemon settings: from flags, then <c>VALET_*</c> environment variables, then defaults. They change with a restart.</summary>
public sealed record ValetOptions
{
    public const int DefaultPort = 8000;
    public static readonly TimeSpan DefaultDrainDelay = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan DefaultShutdownTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Whether the daemon owns SIGTERM/SIGINT/SIGQUIT (graceful drain). Off for in-process test hosts.</summary>
    public bool HandleSignals { get; init; } = true;

    /// <summary>After SIGTERM: how long to keep serving with readiness failing, before stopping.</summary>
    public TimeSpan DrainDelay { get; init; } = DefaultDrainDelay;

    /// <summary>Once stopping: how long in-flight requests may take to finish.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = DefaultShutdownTimeout;
    public const int DefaultAdminPort = 8001;

    /// <summary>Folder of app files.</summary>
    public string ConfDirectory { get; init; } = "./conf";

    /// <summary>Public listener port; 0 picks a free one (tests).</summary>
    public int Port { get; init; } = DefaultPort;

    /// <summary>Optional cleartext HTTP/2 (prior knowledge) listener port; null for none.</summary>
    public int? H2cPort { get; init; }

    /// <summary>Conventional HTTPS port, used when <c>--https-port</c> is given without a number.</summary>
    public const int DefaultHttpsPort = 8443;

    /// <summary>HTTPS listener port (HTTP/1.1 and HTTP/2 by ALPN, certificates by SNI); null for none.</summary>
    public int? HttpsPort { get; init; }

    /// <summary>PEM certificate for names no app's <c>tls</c> covers; null = a self-signed one made at start.</summary>
    public string? TlsCertFile { get; init; }

    /// <summary>PEM private key of <see cref="TlsCertFile"/>.</summary>
    public string? TlsKeyFile { get; init; }

    /// <summary>Address to bind; null means every interface (IPv4 and IPv6).</summary>
    public IPAddress? Bind { get; init; }

    /// <summary>How long an endpoint is skipped after a connect failure or timeout.</summary>
    public TimeSpan HealthCooldown { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Admin API listener port; 0 picks a free one (tests).</summary>
    public int AdminPort { get; init; } = DefaultAdminPort;

    /// <summary>Address of the admin listener; null means every interface (then a token is required).</summary>
    public IPAddress? AdminBind { get; init; } = IPAddress.Loopback;

    /// <summary>Bearer token every admin request must carry; null or empty for none (loopback only).</summary>
    public string? AdminToken { get; init; }

    /// <summary>File holding the admin token (e.g. a systemd credential); read once at start.</summary>
    public string? AdminTokenFile { get; init; }

    /// <summary>Which client carries bodyless requests to plain-HTTP/1.1 endpoints (<c>--upstream-client</c>).</summary>
    public Valet.Core.Pipeline.UpstreamClient UpstreamClient { get; init; } = Valet.Core.Pipeline.UpstreamClient.Valet;

    /// <summary>
    /// Which engine reads and writes the listeners' and the upstream connections' sockets:
    /// Valet's event loops (the default on Linux) or .NET's socket engine.
    /// </summary>
    public IoEngine Io { get; init; } = IoEngine.Loops;

    /// <summary>Aggregate parts running at once across all requests (not a flag yet; tests lower it).</summary>

    public int MaxAggregatePartsInFlight { get; init; } = 1024;

    public const int DefaultPeerPort = 8002;

    /// <summary>This node's id in a cluster; default the host name.</summary>
    public string NodeId { get; init; } = Environment.MachineName;

    /// <summary>Peer listener addresses of the other nodes; empty = no cluster (no peer listener, local counts).</summary>
    public IReadOnlyList<Uri> Peers { get; init; } = [];

    /// <summary>Port of the peer (gRPC over HTTP/2) listener, open when <see cref="Peers"/> is not empty; 0 picks a free one.</summary>
    public int PeerPort { get; init; } = DefaultPeerPort;

    /// <summary>Shared secret of the cluster, sent and required as <c>authorization: Bearer</c>.</summary>
    public string? PeerToken { get; init; }

    /// <summary>PEM certificate and key of the peer listener; both given = TLS, neither = h2c.</summary>
    public string? PeerCertificate { get; init; }

    /// <summary>PEM key file for <see cref="PeerCertificate"/>.</summary>
    public string? PeerKey { get; init; }

    /// <summary>
    /// Adjusts Kestrel's limits after Valet's own settings (tests shorten the header and body
    /// timeouts). Kestrel's defaults stand otherwise: request line 8 KiB, headers 32 KiB and 100
    /// of them, headers within 30 s, bodies at 240 bytes/s after 5 s.
    /// </summary>
    public Action<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerLimits>? TuneLimits { get; init; }

    /// <summary>The access log: one line per public request, JSON (default), CLF or off.</summary>
    public Valet.Core.Diagnostics.AccessLog.AccessLogFormat AccessLog { get; init; } = Valet.Core.Diagnostics.AccessLog.AccessLogFormat.Json;

    /// <summary>Where the access log goes; null = standard output (tests pass a stream of their own).</summary>
    public Stream? AccessLogOutput { get; init; }

    /// <summary>Base URL of an OTLP/HTTP receiver (e.g. http://collector:4318); traces and metrics go to /v1/traces and /v1/metrics. Null = no export.</summary>
    public Uri? OtlpEndpoint { get; init; }

    /// <summary>
    /// How endpoint certificates are checked (TLS endpoints, both HTTP clients); null = the system's
    /// trust store and the endpoint's host name. Not a flag: in-process hosts (tests) trust their
    /// own self-signed endpoints with it.
    /// </summary>
    internal System.Net.Security.RemoteCertificateValidationCallback? UpstreamCertificateValidation { get; init; }

    /// <summary>How often metrics are pushed over OTLP.</summary>
    public TimeSpan OtlpMetricsInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Adjusts the derived peering settings (tests shorten or lengthen timings).</summary>
    public Func<Valet.Peering.PeeringOptions, Valet.Peering.PeeringOptions>? TunePeering { get; init; }

    /// <summary>The peering settings these options describe, or null when no peer is configured.</summary>
    public Valet.Peering.PeeringOptions? ToPeeringOptions()
    {
        if (Peers.Count == 0) return null;
        var options = new Valet.Peering.PeeringOptions { NodeId = NodeId, Peers = Peers, Token = PeerToken };
        return TunePeering is null ? options : TunePeering(options);
    }
}

/// <summary>The engine under the sockets (see <see cref="ValetOptions.Io"/>).</summary>
public enum IoEngine
{
    /// <summary>Valet's epoll loops (Valet.Core.Networking); .NET's engine where they cannot run.</summary>
    Loops,

    /// <summary>.NET's socket engine and Kestrel's socket transport.</summary>
    Sockets,
}
