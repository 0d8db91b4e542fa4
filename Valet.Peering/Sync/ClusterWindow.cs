using Valet.Core.RateLimiting;

namespace Valet.Peering.Sync;

/// <summary>
/// The counts of one key in one window: <see cref="Own"/> (admitted here), <see cref="Seen"/> (highest
/// count heard per other node, by node index) and their sum. Own only grows by CAS; seen entries only
/// grow by CAS-max. The share-policy and near-limit fields are touched under the window's lock, only
/// while partitioned or close to the limit.
/// </summary>
public sealed class ClusterWindow(CounterKey key, int nodes)
{
    public readonly CounterKey Key = key;
    public long Own;
    public long SeenTotal;
    public readonly long[] Seen = new long[nodes];

    /// <summary>1 while an increment of <see cref="Own"/> waits to be sent.</summary>
    public int Dirty;

    /// <summary>How many more times the sync pump re-sends this window's count after its last change (anti-entropy).</summary>
    public int Resends;

    /// <summary>Unix microseconds of the first unsent increment.</summary>
    public long DirtySince;

    /// <summary>The partition epoch <see cref="PartitionAdmitted"/> counts for.</summary>
    public int PartitionEpoch;

    /// <summary>Requests admitted here under the share policy during the current partition.</summary>
    public long PartitionAdmitted;

    /// <summary>Near the limit: when the current share was taken (a timestamp of the store's clock; 0 = none yet).</summary>
    public long ShareAt;

    /// <summary>Near the limit: <see cref="Own"/> when the current share was computed.</summary>
    public long ShareBaseOwn;

    /// <summary>Near the limit: how many requests this node may admit on the current share.</summary>
    public long Share;

    public long Used => Volatile.Read(ref Own) + Volatile.Read(ref SeenTotal);
}
