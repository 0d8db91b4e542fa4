using Valet.Core.Configuration;

namespace Valet.Core.RateLimiting;

/// <summary>
/// Where rate-limit counts live. The seam between the limiter (Core) and the cluster (Peering):
/// the local store counts on this node; the cluster store adds what peers admitted.
/// </summary>
public interface ICounterStore
{
    /// <summary>
    /// In one atomic step: admit one request when fewer than <paramref name="limit"/> were admitted
    /// in the key's window, counting it; otherwise count nothing. Rejections never count.
    /// </summary>
    CounterResult TryAcquire(in CounterKey key, long limit);

    /// <summary>
    /// <see cref="TryAcquire(in CounterKey, long)"/> for an app with the given partition policy, which
    /// matters only to stores shared by a cluster (what to do while a peer is unreachable).
    /// </summary>
    CounterResult TryAcquire(in CounterKey key, long limit, PartitionPolicy policy) => TryAcquire(key, limit);

    /// <summary>Requests admitted in the key's window so far.</summary>
    long Read(in CounterKey key);
}
