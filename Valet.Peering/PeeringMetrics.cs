using System.Diagnostics.Metrics;
using Valet.Peering.Sync;

namespace Valet.Peering;

/// <summary>
/// Counters of what peering ignored or refused, as plain numbers (tests and <c>GET /peers</c>) and as
/// <see cref="System.Diagnostics.Metrics"/> instruments of the <c>Valet.Peering</c> meter (for the
/// metrics exporter, once Valet has one).
/// </summary>
public sealed class PeeringMetrics : IDisposable
{
    public const string MeterName = "Valet.Peering";

    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _merged;
    private readonly Counter<long> _authFailures;
    private readonly long[] _rejectedByReason = new long[Enum.GetValues<MergeOutcome>().Length];
    private long _mergedCount;
    private long _authFailureCount;

    public PeeringMetrics()
    {
        _rejected = _meter.CreateCounter<long>("valet.peering.updates.rejected", description: "Counter updates from peers that were ignored, by reason");
        _merged = _meter.CreateCounter<long>("valet.peering.updates.merged", description: "Counter updates from peers that were merged");
        _authFailures = _meter.CreateCounter<long>("valet.peering.auth.failures", description: "Peer calls refused for a missing or wrong token");
    }

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
