using Valet.Core.Configuration;
using Valet.Core.RateLimiting;
using Valet.Core.Tests.RateLimiting;
using Valet.Peering.Membership;
using Valet.Peering.Protocol.V1;
using Valet.Peering.Sync;

namespace Valet.Peering.Tests.Sync;

/// <summary>The cluster store passes Core's counter-store contract, and merges by max.</summary>
public sealed class ClusterCounterStoreContractTests : CounterStoreContractTests
{
    protected override ICounterStore CreateStore() => NewStore(peers: 0).Store;

    private static (ClusterCounterStore Store, ClusterMembership Membership, PeeringMetrics Metrics) NewStore(int peers)
    {
        var options = new PeeringOptions { NodeId = "self", Peers = Enumerable.Range(0, peers).Select(i => new Uri($"http://127.0.0.1:{1000 + i}/")).ToArray() };
        var membership = new ClusterMembership(options, TimeProvider.System);
        var metrics = new PeeringMetrics();
        return (new ClusterCounterStore(membership, TimeProvider.System, metrics), membership, metrics);
    }

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60;

    private static CounterUpdate Update(long count, long? window = null, string app = "api") =>
        new() { App = app, Partition = "*", Period = 60, Window = window ?? Now, Count = count };

    [Fact]
    public void Merge_DuplicatedReorderedReplayed_KeepsTheMaximum()
    {
        var (store, _, _) = NewStore(0);
        var key = new CounterKey("api", "*", 60, Now);

        foreach (var count in new long[] { 3, 5, 5, 4, 1, 5, 2 }) store.Merge("peer", Update(count));

        store.Read(key).Should().Be(5);
        store.TryAcquire(key, 6).Should().Be(new CounterResult(true, 6));
        store.TryAcquire(key, 6).Should().Be(new CounterResult(false, 6));
    }

    [Fact]
    public void Merge_AbsurdUpdates_IgnoredAndCounted()
    {
        var (store, _, metrics) = NewStore(0);
        store.IsKnownApp = app => app == "api";

        store.Merge("peer", Update(-1)).Should().Be(MergeOutcome.BadCount);
        store.Merge("peer", Update(long.MaxValue)).Should().Be(MergeOutcome.BadCount);
        store.Merge("peer", Update(1, window: Now + 2)).Should().Be(MergeOutcome.WindowOutOfRange);
        store.Merge("peer", Update(1, window: Now - 2)).Should().Be(MergeOutcome.WindowOutOfRange);
        store.Merge("peer", Update(1, app: "other")).Should().Be(MergeOutcome.UnknownApp);
        store.Merge("peer", Update(1, app: "")).Should().Be(MergeOutcome.BadKey);

        store.Read(new CounterKey("api", "*", 60, Now)).Should().Be(0);
        metrics.RejectedTotal.Should().Be(6);
    }

    [Fact]
    public void Merge_NextWindowFromAFastClock_DoesNotEraseTheCurrentOne()
    {
        var (store, _, _) = NewStore(0);
        var key = new CounterKey("api", "*", 60, Now);
        store.TryAcquire(key, 10);

        store.Merge("peer", Update(4, window: Now + 1)).Should().Be(MergeOutcome.Merged);

        store.Read(key).Should().Be(1);
        store.Read(key with { Window = Now + 1 }).Should().Be(4);
    }

    [Fact]
    public void Merge_OwnCountFromAPeer_RestartedNodeResumesFromIt()
    {
        var (store, _, _) = NewStore(0);
        var key = new CounterKey("api", "*", 60, Now);

        store.Merge("self", new CounterUpdate { App = "api", Partition = "*", Period = 60, Window = Now, Count = 7, Origin = "self" });

        store.ReadOwn(key).Should().Be(7);
        store.TryAcquire(key, 100).Should().Be(new CounterResult(true, 8));
    }

    [Fact]
    public void TryAcquire_PartitionedShare_SpendsOnlyItsShareOfWhatRemains()
    {
        var (store, membership, _) = NewStore(1);
        membership.IsPartitioned.Should().BeTrue("the only peer was never heard from");
        var key = new CounterKey("api", "*", 60, Now);
        store.Merge("peer", Update(20));

        var admitted = Enumerable.Range(0, 100).Count(_ => store.TryAcquire(key, 100, PartitionPolicy.Share).Admitted);

        admitted.Should().Be(40, "(100 - 20) / 2 nodes");
    }

    [Fact]
    public void TryAcquire_PartitionedOpen_CountsAlone()
    {
        var (store, _, _) = NewStore(1);
        var key = new CounterKey("api", "*", 60, Now);
        store.Merge("peer", Update(20));

        var admitted = Enumerable.Range(0, 100).Count(_ => store.TryAcquire(key, 100, PartitionPolicy.Open).Admitted);

        admitted.Should().Be(80);
    }

    [Fact]
    public void Drain_ManyIncrements_OneCumulativeUpdatePerWindow()
    {
        var (store, _, _) = NewStore(0);
        var key = new CounterKey("api", "*", 60, Now);
        for (var i = 0; i < 10; i++) store.TryAcquire(key, 100);

        var updates = new List<CounterUpdate>();
        store.Drain(updates, 100, out var oldest);

        updates.Should().ContainSingle().Which.Count.Should().Be(10);
        oldest.Should().BePositive();
        store.HasDirty.Should().BeFalse();
    }

    [Fact]
    public void DrainResends_QuietWindow_SentAgainTwiceWithItsLatestCount_ThenNoMore()
    {
        var (store, _, _) = NewStore(0);
        var key = new CounterKey("api", "*", 60, Now);
        store.TryAcquire(key, 100);
        store.Drain([], 100, out _);
        store.TryAcquire(key, 100);
        store.Drain([], 100, out _);

        var rounds = new List<List<CounterUpdate>>();
        for (var i = 0; i < 3; i++)
        {
            var round = new List<CounterUpdate>();
            store.DrainResends(round, 100);
            rounds.Add(round);
        }

        rounds.Select(r => r.Count).Should().Equal(1, 1, 0);
        rounds[1].Single().Count.Should().Be(2, "the latest cumulative count, not the one first sent");
    }
}
