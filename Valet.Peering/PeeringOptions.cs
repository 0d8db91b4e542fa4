namespace Valet.Peering;

/// <summary>Settings of one node's peering: who it is, whom it talks to, and the timings of sync and failure detection.</summary>
public sealed record PeeringOptions
{
    /// <summary>This node's id, unique in the cluster (default: the host name).</summary>
    public required string NodeId { get; init; }

    /// <summary>Peer listener addresses of the other nodes (<c>http://host:8002</c> or <c>https://...</c>).</summary>
    public IReadOnlyList<Uri> Peers { get; init; } = [];

    /// <summary>Shared secret sent as <c>authorization: Bearer</c>; null lets any caller in.</summary>
    public string? Token { get; init; }

    /// <summary>Most counter updates in one batch message.</summary>
    public int MaxBatchUpdates { get; init; } = 1024;

    /// <summary>Largest gRPC message accepted.</summary>
    public int MaxMessageBytes { get; init; } = Protocol.GrpcHeaders.DefaultMaxMessageBytes;

    /// <summary>Each side of a sync stream sends a heartbeat when it has sent nothing for this long.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>A peer silent this long is down (the design asks for detection within 250 ms).</summary>
    public TimeSpan FailureTimeout { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How long a starting node waits for its peers' snapshots before it reports ready.</summary>
    public TimeSpan StartupWait { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>First reconnect delay; doubles per failure up to <see cref="BackoffMax"/>.</summary>
    public TimeSpan BackoffInitial { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Longest reconnect delay (short, so a healed link converges within 500 ms).</summary>
    public TimeSpan BackoffMax { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Deadline for connecting and receiving the peer's Hello.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Most nodes (this one included) whose counts are kept.</summary>
    public int MaxNodes { get; init; } = 16;

    /// <summary>Most counters kept; updates for further new counters from peers are ignored.</summary>
    public int MaxCounters { get; init; } = 1_000_000;

    /// <summary>Frames queued for one slow peer before it is switched to a fresh snapshot instead.</summary>
    public int SinkCapacity { get; init; } = 4096;

    /// <summary>Client certificate validation for <c>https://</c> peers; null accepts any (a shared token authenticates).</summary>
    public Func<System.Security.Cryptography.X509Certificates.X509Certificate2?, bool>? ValidatePeerCertificate { get; init; }
}
