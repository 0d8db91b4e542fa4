using BenchmarkDotNet.Attributes;
using Valet.Core.RateLimiting;

namespace Valet.Benchmarks;

/// <summary>
/// The local rate-limit decision for one hot key (an app limited as a whole, the budget never
/// exhausted): target ≤ 200 ns and 0 bytes per decision (RATELIMIT.md, last row).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(BenchConfig))]
public class RateLimitDecisionBenchmarks
{
    private static readonly LimitRequest Request = new("app", "*", long.MaxValue / 2, 60);

    private LocalCounterStore _store = null!;
    private WindowRateLimiter _limiter = null!;
    private CounterKey _key;

    [GlobalSetup]
    public void Setup()
    {
        _store = new LocalCounterStore();
        _limiter = new WindowRateLimiter(_store, TimeProvider.System);
        var (window, _) = _limiter.WindowAt(Request.Period);
        _key = new CounterKey(Request.App, Request.Partition, Request.Period, window);

        // Create the slot and fill the lease pool, so the measured calls are the steady state.
        using var first = _limiter.AttemptAcquire(Request);
        if (!first.IsAcquired) throw new InvalidOperationException("the hot key must be admitted");
    }

    /// <summary>What the gateway does per request: decide, read the lease, give it back.</summary>
    [Benchmark(Baseline = true)]
    public bool AttemptAcquireAndDispose()
    {
        using var lease = _limiter.AttemptAcquire(Request);
        return lease.IsAcquired;
    }

    /// <summary>The counter store alone: slot lookup plus the compare-and-swap increment.</summary>
    [Benchmark]
    public long StoreTryAcquire() => _store.TryAcquire(in _key, Request.Limit).Used;

    /// <summary>The clock read and window arithmetic alone, part of every decision.</summary>
    [Benchmark]
    public long WindowAt() => _limiter.WindowAt(Request.Period).Window;
}
