using Valet.Core.RateLimiting;

namespace Valet.Peering.Sync;

/// <summary>
/// The counts of one key in one window: <see cref="Own"/> (admitted here), <see cref="Seen"/> (highest
/// count heard per other node, by node index) and their sum. Own only grows by CAS; seen entries only
/// grow by CAS-max. The share-policy fields are touched under the window's lock, only while partitioned.
/// </summary>
public sealed class ClusterWindow(CounterKey key, int nodes)
{
    public readonly CounterKey Key = key;
    public long Own;
    public long SeenTotal;
    public readonly long[] Seen = new long[nodes];

    /// <summary>1 while an increment of <see cref="Own"/> waits to be sent.</summary>
    public int Dirty;

    /// <summary>Unix microseconds of the first unsent increment.</summary>
    public long DirtySince;

    /// <summary>The partition epoch <see cref="PartitionAdmitted"/> counts for.</summary>
    public int PartitionEpoch;

    /// <summary>Requests admitted here under the share policy during the current partition.</summary>
    public long PartitionAdmitted;

    public long Used => Volatile.Read(ref Own) + Volatile.Read(ref SeenTotal);
}
