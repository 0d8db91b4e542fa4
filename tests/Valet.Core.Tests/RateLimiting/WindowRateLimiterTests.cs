using System.Threading.RateLimiting;
using Valet.Core.RateLimiting;
using Valet.Core.Tests.TestSupport;

namespace Valet.Core.Tests.RateLimiting;

public sealed class WindowRateLimiterTests
{
    // 2026-11-22T10:00:45.250Z: 45.25 s into a 60 s window.
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 10, 0, 45, 250, TimeSpan.Zero);

    [Fact]
    public void WindowAt_AlignedOnUnixEpoch()
    {
        var limiter = new WindowRateLimiter(new LocalCounterStore(), new FixedTimeProvider(Now));

        var (window, reset) = limiter.WindowAt(60);

        window.Should().Be(Now.ToUnixTimeSeconds() / 60);
        reset.Should().Be(TimeSpan.FromMilliseconds(14_750));
    }

    [Fact]
    public void AttemptAcquire_LeaseCarriesFiguresAsPropertiesAndMetadata()
    {
        var limiter = new WindowRateLimiter(new LocalCounterStore(), new FixedTimeProvider(Now));
        var request = new LimitRequest("app", "*", 2, 60);

        using var first = (WindowLease)limiter.AttemptAcquire(request);
        (first.IsAcquired, first.Used, first.Remaining, first.ResetSeconds).Should().Be((true, 1L, 1L, 15L));
        first.TryGetMetadata(MetadataName.RetryAfter, out _).Should().BeFalse();
        first.TryGetMetadata(WindowLease.RemainingMetadata, out var remaining).Should().BeTrue();
        remaining.Should().Be(1L);

        limiter.AttemptAcquire(request).Dispose();
        using var rejected = (WindowLease)limiter.AttemptAcquire(request);
        (rejected.IsAcquired, rejected.Used, rejected.Remaining).Should().Be((false, 2L, 0L));
        rejected.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter).Should().BeTrue();
        retryAfter.Should().Be(TimeSpan.FromMilliseconds(14_750));
        rejected.MetadataNames.Should().Contain(MetadataName.RetryAfter.Name);
    }

    [Fact]
    public void GetStatistics_CountsDecisionsAndAvailablePermits()
    {
        var limiter = new WindowRateLimiter(new LocalCounterStore(), new FixedTimeProvider(Now));
        var request = new LimitRequest("app", "*", 3, 60);
        for (var i = 0; i < 5; i++) limiter.AttemptAcquire(request).Dispose();

        var stats = limiter.GetStatistics(request)!;

        (stats.TotalSuccessfulLeases, stats.TotalFailedLeases, stats.CurrentAvailablePermits).Should().Be((3L, 2L, 0L));
    }

    [Fact]
    public async Task AcquireAsync_NeverQueues_AnswersAtOnce()
    {
        var limiter = new WindowRateLimiter(new LocalCounterStore(), new FixedTimeProvider(Now));
        var request = new LimitRequest("app", "*", 1, 60);

        using var admitted = await limiter.AcquireAsync(request);
        using var rejected = await limiter.AcquireAsync(request);

        admitted.IsAcquired.Should().BeTrue();
        rejected.IsAcquired.Should().BeFalse();
    }

    [Fact]
    public void Lease_DisposedTwice_ReturnedToPoolOnce()
    {
        var limiter = new WindowRateLimiter(new LocalCounterStore(), new FixedTimeProvider(Now));
        var request = new LimitRequest("app", "*", 100, 60);

        var lease = limiter.AttemptAcquire(request);
        lease.Dispose();
        lease.Dispose();
        var a = limiter.AttemptAcquire(request);
        var b = limiter.AttemptAcquire(request);

        a.Should().NotBeSameAs(b);
    }
}
