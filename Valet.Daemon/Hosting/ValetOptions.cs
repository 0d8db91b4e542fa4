using System.Net;

namespace Valet.Daemon.Hosting;

/// <summary>Daemon settings: from flags, then <c>VALET_*</c> environment variables, then defaults. They change with a restart.</summary>
public sealed record ValetOptions
{
    public const int DefaultPort = 8000;

    /// <summary>Folder of app files.</summary>
    public string ConfDirectory { get; init; } = "./conf";

    /// <summary>Public listener port; 0 picks a free one (tests).</summary>
    public int Port { get; init; } = DefaultPort;

    /// <summary>Optional cleartext HTTP/2 (prior knowledge) listener port; null for none.</summary>
    public int? H2cPort { get; init; }

    /// <summary>Address to bind; null means every interface (IPv4 and IPv6).</summary>
    public IPAddress? Bind { get; init; }

    /// <summary>How long an endpoint is skipped after a connect failure or timeout.</summary>
    public TimeSpan HealthCooldown { get; init; } = TimeSpan.FromSeconds(10);

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
