using System.Diagnostics.Metrics;
using Valet.Peering.Sync;

namespace Valet.Peering;

/// <summary>
/// Counters of what peering ignored or refused, as plain numbers (tests and <c>GET /peers</c>) and as
/// <see cref="System.Diagnostics.Metrics"/> instruments of the <c>Valet.Peering</c> meter (exported on
/// <c>GET /metrics</c> and over OTLP): peers by state, messages and bytes exchanged, sync lag.
/// </summary>
public sealed class PeeringMetrics : IDisposable
{
    public const string MeterName = "Valet.Peering";

    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _merged;
    private readonly Counter<long> _authFailures;
    private readonly Histogram<double> _lag;
    private readonly long[] _rejectedByReason = new long[Enum.GetValues<MergeOutcome>().Length];
    private long _mergedCount;
    private long _authFailureCount;

    public PeeringMetrics()
    {
        _rejected = _meter.CreateCounter<long>("valet.peering.updates.rejected", description: "Counter updates from peers that were ignored, by reason");
        _merged = _meter.CreateCounter<long>("valet.peering.updates.merged", description: "Counter updates from peers that were merged");
        _authFailures = _meter.CreateCounter<long>("valet.peering.auth.failures", description: "Peer calls refused for a missing or wrong token");
        _lag = _meter.CreateHistogram<double>("valet.peering.sync.lag", "s", "Sync lag of counter batches from peers: apply time minus origin time.");
    }

    /// <summary>Publishes the peer table's figures (read at each collection).</summary>
    public void Observe(Membership.ClusterMembership membership)
    {
        _meter.CreateObservableGauge("valet.peering.peers", () => PeersByState(membership), "{peer}",
            "Peers by state (up, down, connecting); up = connected and syncing.");
        _meter.CreateObservableCounter("valet.peering.messages", () => Traffic(membership, bytes: false), "{message}",
            "Sync messages exchanged with peers, by direction (in, out).");
        _meter.CreateObservableCounter("valet.peering.traffic", () => Traffic(membership, bytes: true), "By",
            "Sync bytes exchanged with peers, by direction (in, out).");
    }

    private static IEnumerable<Measurement<int>> PeersByState(Membership.ClusterMembership membership)
    {
        int up = 0, down = 0, connecting = 0;
        foreach (var peer in membership.Peers)
        {
            switch (peer.Health)
            {
                case Membership.PeerHealth.Up: up++; break;
                case Membership.PeerHealth.Down: down++; break;
                default: connecting++; break;
            }
        }

        return
        [
            new(up, new KeyValuePair<string, object?>("state", "up")),
            new(down, new KeyValuePair<string, object?>("state", "down")),
            new(connecting, new KeyValuePair<string, object?>("state", "connecting")),
        ];
    }

    private static IEnumerable<Measurement<long>> Traffic(Membership.ClusterMembership membership, bool bytes)
    {
        long inbound = 0, outbound = 0;
        foreach (var peer in membership.Peers)
        {
            inbound += bytes ? peer.BytesIn : peer.MessagesIn;
            outbound += bytes ? peer.BytesOut : peer.MessagesOut;
        }

        return
        [
            new(inbound, new KeyValuePair<string, object?>("direction", "in")),
            new(outbound, new KeyValuePair<string, object?>("direction", "out")),
        ];
    }

    /// <summary>One batch's sync lag, in microseconds.</summary>
    public void SyncLag(long micros) => _lag.Record(Math.Max(0, micros) / 1_000_000.0);

    public Meter Meter => _meter;

    public void Record(MergeOutcome outcome)
    {
        if (outcome == MergeOutcome.Merged)
        {
            Interlocked.Increment(ref _mergedCount);
            _merged.Add(1);
            return;
        }

        Interlocked.Increment(ref _rejectedByReason[(int)outcome]);
        _rejected.Add(1, new KeyValuePair<string, object?>("reason", outcome.ToString()));
    }

    public void AuthFailed()
    {
        Interlocked.Increment(ref _authFailureCount);
        _authFailures.Add(1);
    }

    public long Merged => Interlocked.Read(ref _mergedCount);

    public long AuthFailures => Interlocked.Read(ref _authFailureCount);

    public long Rejected(MergeOutcome reason) => Interlocked.Read(ref _rejectedByReason[(int)reason]);

    public long RejectedTotal
    {
        get
        {
            long total = 0;
            for (var i = 0; i < _rejectedByReason.Length; i++) total += Interlocked.Read(ref _rejectedByReason[i]);
            return total;
        }
    }

    public void Dispose() => _meter.Dispose();
}
