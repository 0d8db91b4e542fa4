using Valet.Core.Configuration;
using Valet.Core.RateLimiting;
using Valet.Peering.Membership;
using Valet.Peering.Protocol.V1;
using Valet.Peering.Sync;

namespace Valet.Peering.Tests.Sync;

/// <summary>
/// Close to the limit, a node of a whole cluster spends only its share of what remains until news of
/// every peer has been heard from since (a count or a heartbeat): what two nodes admit within one
/// sync lag cannot add up to much more than the remainder they knew of.
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

    private sealed record Pair(ClusterCounterStore Store, SteppedClock Clock, CounterKey Key, PeerState Peer)
    {
        /// <summary>A message from the peer arrives a moment later (what a batch or a heartbeat does to its record).</summary>
        public void PeerHeard()
        {
            Clock.Advance(TimeSpan.FromMilliseconds(1));
            Peer.LinkMessage(Clock.GetTimestamp(), 10);
        }

        /// <summary>The peer's cumulative count arrives.</summary>
        public void PeerCount(long count)
        {
            Store.Merge("peer", new CounterUpdate { App = Key.App, Partition = Key.Partition, Period = Key.Period, Window = Key.Window, Count = count });
            PeerHeard();
        }

        public int Admit(int tries) => Enumerable.Range(0, tries).Count(_ => Store.TryAcquire(Key, 100, PartitionPolicy.Share).Admitted);
    }

    private static Pair WholePair()
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
        return new Pair(store, clock, new CounterKey("api", "*", 3600, clock.GetUtcNow().ToUnixTimeSeconds() / 3600), peer);
    }

    [Fact]
    public void NearLimit_NoNews_SpendsHalfOfTheRemainder()
    {
        var pair = WholePair();
        ClusterCounterStore.NearLimitZone(100, 2).Should().Be(10);

        pair.Admit(90).Should().Be(90, "far from the limit every request is admitted");
        pair.Admit(20).Should().Be(5, "⌈10 remaining / 2 nodes⌉, until the peer is heard from");
        pair.Clock.Advance(TimeSpan.FromSeconds(1));
        pair.Admit(20).Should().Be(0, "time alone is no news: the peer may have spent its share meanwhile");
        pair.Store.Read(pair.Key).Should().Be(95);
    }

    [Fact]
    public void NearLimit_PeerCountArrives_NewShareOfTheNewRemainder()
    {
        var pair = WholePair();
        pair.Admit(95);

        pair.PeerCount(1);
        pair.Admit(20).Should().Be(2, "⌈(100 − 96) / 2⌉");
        pair.PeerCount(2);
        pair.Admit(20).Should().Be(1, "⌈(100 − 99) / 2⌉");
        pair.PeerCount(2);
        pair.Admit(20).Should().Be(0, "the limit is spent");
        pair.Store.Read(pair.Key).Should().Be(100);
    }

    [Fact]
    public void NearLimit_IdlePeersHeartbeats_RenewTheShare_UpToTheLimitNeverOver()
    {
        var pair = WholePair();
        pair.Admit(95);

        var admitted = new List<int>();
        for (var i = 0; i < 5; i++)
        {
            pair.PeerHeard();
            admitted.Add(pair.Admit(20));
        }

        admitted.Should().Equal([3, 1, 1, 0, 0], "a heartbeat says the peer admitted nothing more: ⌈5 / 2⌉, ⌈2 / 2⌉, ⌈1 / 2⌉");
        pair.Store.Read(pair.Key).Should().Be(100);
    }

    [Fact]
    public void NearLimit_BothNodesSpendTheirSharesBeforeNewsArrives_TogetherAtMostTheRemainder()
    {
        var a = WholePair();
        var b = WholePair();
        a.Admit(45);
        b.Admit(45);
        a.PeerCount(45);
        b.PeerCount(45);

        var spent = a.Admit(50) + b.Admit(50);

        spent.Should().Be(10, "each took ⌈10 / 2⌉ of the 10 both knew were left");
    }
}
