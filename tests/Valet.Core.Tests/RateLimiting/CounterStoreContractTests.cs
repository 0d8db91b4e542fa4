using Valet.Core.RateLimiting;

namespace Valet.Core.Tests.RateLimiting;

/// <summary>What every <see cref="ICounterStore"/> must do; each implementation derives a test class from this.</summary>
public abstract class CounterStoreContractTests
{
    protected abstract ICounterStore CreateStore();

    private static CounterKey Key(long window = 1000, string partition = "*") => new("app", partition, 60, window);

    [Fact]
    public void TryAcquire_UpToLimit_AdmitsAndCountsThenRejectsWithoutCounting()
    {
        var store = CreateStore();

        var results = Enumerable.Range(0, 5).Select(_ => store.TryAcquire(Key(), 3)).ToList();

        results.Should().Equal(
            new CounterResult(true, 1), new CounterResult(true, 2), new CounterResult(true, 3),
            new CounterResult(false, 3), new CounterResult(false, 3));
        store.Read(Key()).Should().Be(3);
    }

    [Fact]
    public void TryAcquire_ConcurrentRequestsOnFreshWindow_AdmitExactlyMinOfRequestsAndLimit()
    {
        var store = CreateStore();
        var admitted = 0;

        Parallel.For(0, 5000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
        {
            if (store.TryAcquire(Key(), 1234).Admitted) Interlocked.Increment(ref admitted);
        });

        admitted.Should().Be(1234);
        store.Read(Key()).Should().Be(1234);
    }

    [Fact]
    public void TryAcquire_NewWindow_StartsFromZero()
    {
        var store = CreateStore();
        store.TryAcquire(Key(window: 7), 1).Admitted.Should().BeTrue();
        store.TryAcquire(Key(window: 7), 1).Admitted.Should().BeFalse();

        store.TryAcquire(Key(window: 8), 1).Should().Be(new CounterResult(true, 1));
        store.Read(Key(window: 7)).Should().Be(0, "the old window is gone once a newer one is counted");
    }

    [Fact]
    public void TryAcquire_Partitions_AreIndependent()
    {
        var store = CreateStore();

        store.TryAcquire(Key(partition: "alice"), 1).Admitted.Should().BeTrue();
        store.TryAcquire(Key(partition: "bob"), 1).Admitted.Should().BeTrue();
        store.TryAcquire(Key(partition: "alice"), 1).Admitted.Should().BeFalse();
        store.Read(Key(partition: "carol")).Should().Be(0);
    }

    [Fact]
    public void TryAcquire_LimitRaisedMidWindow_CountKeptAndNewLimitApplies()
    {
        var store = CreateStore();
        for (var i = 0; i < 3; i++) store.TryAcquire(Key(), 3);

        store.TryAcquire(Key(), 5).Should().Be(new CounterResult(true, 4));
        store.TryAcquire(Key(), 2).Should().Be(new CounterResult(false, 4));
    }
}

public sealed class LocalCounterStoreTests : CounterStoreContractTests
{
    protected override ICounterStore CreateStore() => new LocalCounterStore();

    [Fact]
    public void Sweep_EndedWindows_Forgotten()
    {
        var store = new LocalCounterStore();
        store.TryAcquire(new CounterKey("app", "old", 60, 10), 5);
        store.TryAcquire(new CounterKey("app", "current", 60, 11), 5);

        var removed = store.Sweep(unixSeconds: 11 * 60 + 5);

        removed.Should().Be(1);
        store.SlotCount.Should().Be(1);
        store.Read(new CounterKey("app", "current", 60, 11)).Should().Be(1);
    }
}
