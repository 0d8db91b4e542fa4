namespace Valet.Peering.Membership;

/// <summary>One peer as <c>GET /peers</c> shows it (and the metrics report it).</summary>
/// <param name="NodeId">The peer's node id, or null before it introduced itself.</param>
/// <param name="Address">The configured peer address, or null for a peer that only dials in.</param>
/// <param name="State">connecting, up or down.</param>
/// <param name="LastMessageAgeMs">Milliseconds since any message from the peer; null if none yet.</param>
/// <param name="SyncLagP50Ms">Median sync lag of the peer's batches (apply time − origin time).</param>
/// <param name="SyncLagP99Ms">99th percentile sync lag.</param>
/// <param name="MessagesInPerSecond">Messages received per second (last second).</param>
/// <param name="MessagesOutPerSecond">Messages sent per second (last second).</param>
/// <param name="BytesInPerSecond">Bytes received per second (last second).</param>
/// <param name="BytesOutPerSecond">Bytes sent per second (last second).</param>
/// <param name="LagSamples">Batches whose lag was measured.</param>
public sealed record PeerStatus(
    string? NodeId,
    string? Address,
    string State,
    double? LastMessageAgeMs,
    double? SyncLagP50Ms,
    double? SyncLagP99Ms,
    double MessagesInPerSecond,
    double MessagesOutPerSecond,
    double BytesInPerSecond,
    double BytesOutPerSecond,
    long LagSamples);
