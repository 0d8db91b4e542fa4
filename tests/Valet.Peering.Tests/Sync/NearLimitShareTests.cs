using Valet.Core.Configuration;
using Valet.Core.RateLimiting;
using Valet.Peering.Membership;
using Valet.Peering.Protocol.V1;
using Valet.Peering.Sync;

namespace Valet.Peering.Tests.Sync;

/// <summary>
/// Close to the limit, a node of a whole cluster spends only its share of what remains until news of
/// a peer's count arrives (or the share gets old): what two nodes admit within one sync lag cannot
/// add up to much more than the remainder.
/// </summary>
public sealed class NearLimitShareTests
{
    private sealed class SteppedClock : TimeProvider
    {
        private readonly DateTimeOffset _start = DateTimeOffset.UtcNow;
        private long _ticks = TimeSpan.TicksPerHour;

        public override DateTimeOffset GetUtcNow() => _start.AddTicks(Interlocked.Read(ref _ticks) - TimeSpan.TicksPerHour);
        public override long GetTimestamp() => Interlocked.Read(ref _ticks);
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }

    private static (ClusterCounterStore Store, SteppedClock Clock, CounterKey Key) WholePair()
    {
        var clock = new SteppedClock();
        var options = new PeeringOptions { NodeId = "self", Peers = [new Uri("http://127.0.0.1:1000/")] };
        var membership = new ClusterMembership(options, clock);
        var peer = membership.Peers.Single();
        peer.LinkOpened(clock.GetTimestamp());
        peer.LinkMessage(clock.GetTimestamp(), 1);
        membership.Identify(peer, "peer");
        membership.Evaluate();
        membership.IsPartitioned.Should().BeFalse("the peer is up");
        var store = new ClusterCounterStore(membership, clock, new PeeringMetrics());
        return (store, clock, new CounterKey("api", "*", 3600, clock.GetUtcNow().ToUnixTimeSeconds() / 3600));
    }

    private static CounterUpdate Peer(CounterKey key, long count) =>
        new() { App = key.App, Partition = key.Partition, Period = key.Period, Window = key.Window, Count = count };

    private static int Admit(ClusterCounterStore store, CounterKey key, int tries) =>
        Enumerable.Range(0, tries).Count(_ => store.TryAcquire(key, 100, PartitionPolicy.Share).Admitted);

    [Fact]
    public void NearLimit_NoNews_SpendsHalfOfTheRemainder()
    {
        var (store, _, key) = WholePair();
        ClusterCounterStore.NearLimitZone(100, 2).Should().Be(10);

        Admit(store, key, 90).Should().Be(90, "far from the limit every request is admitted");
        Admit(store, key, 20).Should().Be(5, "⌈10 remaining / 2 nodes⌉, until a peer's count arrives");
        store.Read(key).Should().Be(95);
    }

    [Fact]
    public void NearLimit_PeerCountArrives_NewShareOfTheNewRemainder()
    {
        var (store, _, key) = WholePair();
        Admit(store, key, 95);

        store.Merge("peer", Peer(key, 1));

        Admit(store, key, 20).Should().Be(2, "⌈(100 − 96) / 2⌉");
        store.Merge("peer", Peer(key, 2));
        Admit(store, key, 20).Should().Be(1, "⌈(100 − 99) / 2⌉");
        store.Merge("peer", Peer(key, 2));
        Admit(store, key, 20).Should().Be(0, "the limit is spent; a repeated count is no news");
        store.Read(key).Should().Be(100);
    }

    [Fact]
    public void NearLimit_SilentPeer_ShareRenewedAfterTheRefreshInterval_UpToTheLimit()
    {
        var (store, clock, key) = WholePair();
        Admit(store, key, 95);

        clock.Advance(ClusterCounterStore.ShareRefresh);
        Admit(store, key, 20).Should().Be(3, "a peer that sent nothing admitted nothing: ⌈5 / 2⌉");
        clock.Advance(ClusterCounterStore.ShareRefresh);
        Admit(store, key, 20).Should().Be(1);
        clock.Advance(ClusterCounterStore.ShareRefresh);
        Admit(store, key, 20).Should().Be(1);
        clock.Advance(ClusterCounterStore.ShareRefresh);
        Admit(store, key, 20).Should().Be(0, "never over the limit");
        store.Read(key).Should().Be(100);
    }
}
