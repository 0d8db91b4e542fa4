using System.Threading.RateLimiting;
using Microsoft.Extensions.ObjectPool;

namespace Valet.Core.RateLimiting;

/// <summary>
/// Fixed-window limiter partitioned by <see cref="LimitRequest"/>: windows aligned on the Unix epoch
/// (window id = floor(unix time / period)), counts kept in an <see cref="ICounterStore"/>.
/// Per-app limits change on reload, so there are no named policies: the request carries its limit.
/// Never queues: a request over the limit is rejected at once with the time to the window's end.
/// </summary>
public sealed class WindowRateLimiter(ICounterStore store, TimeProvider time) : PartitionedRateLimiter<LimitRequest>
{
    private readonly ObjectPool<WindowLease> _leases = new DefaultObjectPool<WindowLease>(new DefaultPooledObjectPolicy<WindowLease>(), 1024);
    private long _admitted;
    private long _rejected;

    public ICounterStore Store => store;

    /// <summary>The window id and time left for <paramref name="period"/> seconds at the provider's now.</summary>
    public (long Window, TimeSpan ResetAfter) WindowAt(int period)
    {
        var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        var periodMs = period * 1000L;
        var window = Math.DivRem(nowMs, periodMs, out var intoWindow);
        return (window, TimeSpan.FromMilliseconds(periodMs - intoWindow));
    }

    /// <summary>The usage of a budget in the current window, without counting anything.</summary>
    public long Peek(in LimitRequest request)
    {
        var (window, _) = WindowAt(request.Period);
        return store.Read(new CounterKey(request.App, request.Partition, request.Period, window));
    }

    protected override RateLimitLease AttemptAcquireCore(LimitRequest resource, int permitCount)
    {
        if (permitCount != 1) throw new ArgumentOutOfRangeException(nameof(permitCount), "one request is one permit");
        var (window, resetAfter) = WindowAt(resource.Period);
        var result = store.TryAcquire(new CounterKey(resource.App, resource.Partition, resource.Period, window), resource.Limit, resource.PartitionPolicy);
        if (result.Admitted) Interlocked.Increment(ref _admitted);
        else Interlocked.Increment(ref _rejected);
        var lease = _leases.Get();
        lease.Set(_leases, result.Admitted, result.Used, resource.Limit, resetAfter);
        return lease;
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(LimitRequest resource, int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(resource, permitCount));

    public override RateLimiterStatistics? GetStatistics(LimitRequest resource) => new()
    {
        CurrentAvailablePermits = Math.Max(0, resource.Limit - Peek(resource)),
        CurrentQueuedCount = 0,
        TotalSuccessfulLeases = Interlocked.Read(ref _admitted),
        TotalFailedLeases = Interlocked.Read(ref _rejected),
    };
}
