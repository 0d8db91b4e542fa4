using System.Net;
using System.Text.Json;
using Valet.Peering.Membership;
using Valet.Peering.Tests.Infrastructure;

namespace Valet.Peering.Tests.Sync;

/// <summary>Counts shared by real nodes on loopback: admission on the cluster total, convergence, catch-up.</summary>
public sealed class ClusterSyncTests
{
    // Generous failure detection where a false "down" (a stalled CI machine) would change admissions.
    private static PeeringOptions Steady(PeeringOptions o) => o with { FailureTimeout = TimeSpan.FromSeconds(5) };

    private static long Header(HttpResponseMessage response, string name) => long.Parse(response.Headers.GetValues(name).Single());

    [Fact]
    public async Task TwoNodes_SharedLimit_AlternatingTraffic_AdmitsExactlyN()
    {
        const int limit = 20;
        await using var cluster = await TestCluster.StartAsync(2, [Apps.Limited("api", limit)], tune: Steady);
        await cluster.AllUpAsync();

        var admitted = 0;
        var used = new List<long>();
        for (var i = 0; i < 2 * limit; i++)
        {
            var node = cluster[i % 2];
            using var response = await node.Client.GetAsync("/api/x");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                admitted++;
                used.Add(Header(response, "X-Ratelimit-Used"));
            }
            else
            {
                response.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
                Header(response, "X-Ratelimit-Remaining").Should().Be(0);
            }

            var expected = admitted;
            await Eventually.Until(() => cluster[0].Used("api") == expected && cluster[1].Used("api") == expected, $"both nodes count {expected}");
        }

        admitted.Should().Be(limit);
        used.Should().Equal(Enumerable.Range(1, limit).Select(i => (long)i), "X-Ratelimit-Used is the cluster's figure on every node");
    }

    [Fact]
    public async Task ThreeNodes_ConcurrentTraffic_AllAgreeAndNeverExceedTheClusterBoundMuch()
    {
        const int limit = 60;
        await using var cluster = await TestCluster.StartAsync(3, [Apps.Limited("api", limit)], tune: Steady);
        await cluster.AllUpAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 120).Select(i => cluster[i % 3].Client.GetAsync("/api/x")));
        var admitted = responses.Count(r => r.StatusCode == HttpStatusCode.OK);

        await Eventually.Until(() => Enumerable.Range(0, 3).All(n => cluster[n].Used("api") == admitted), "all three nodes agree on the count");
        admitted.Should().BeGreaterThanOrEqualTo(limit, "the cluster admits its limit");
        cluster[0].Used("api").Should().Be(admitted);
    }

    [Fact]
    public async Task InjectedDuplicationReorderingAndLoss_CountsStillConverge()
    {
        await using var cluster = await TestCluster.StartAsync(2, [Apps.Limited("api", 1000)], tune: Steady);
        await cluster.AllUpAsync();
        var round = 0;
        foreach (var link in cluster[0].Peering.Links)
        {
            // Every other write: drop the first frame, duplicate the rest, send them in reverse order.
            link.Transport = frames =>
            {
                if (Interlocked.Increment(ref round) % 2 == 1) return frames;
                var mangled = frames.Skip(1).SelectMany(f => new[] { f, f }).Reverse().ToList();
                return mangled;
            };
        }

        for (var i = 0; i < 50; i++) (await cluster[0].Client.GetAsync("/api/x")).StatusCode.Should().Be(HttpStatusCode.OK);
        await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => cluster[0].Client.GetAsync("/api/x")));

        await Eventually.Until(() => cluster[1].Used("api") == 100, "node 1 converges on node 0's 100 despite mangled frames");
        cluster[0].Used("api").Should().Be(100);
    }

    [Fact]
    public async Task Restart_NodeComesBack_ResumesFromTheClusterCount()
    {
        await using var cluster = await TestCluster.StartAsync(2, [Apps.Limited("api", 100)], tune: Steady);
        await cluster.AllUpAsync();
        for (var i = 0; i < 30; i++) await cluster[1].Client.GetAsync("/api/x");
        for (var i = 0; i < 10; i++) await cluster[0].Client.GetAsync("/api/x");
        await Eventually.Until(() => cluster[0].Used("api") == 40, "node 0 saw node 1's requests");

        await cluster.StopNodeAsync(1);
        await cluster.StartNodeAsync(1);

        cluster[1].Peering.Ready.IsCompletedSuccessfully.Should().BeTrue("start-up waits for the peer's snapshot");
        cluster[1].Used("api").Should().Be(40, "the restarted node learnt its own 30 and node 0's 10 before taking traffic");
        using var next = await cluster[1].Client.GetAsync("/api/x");
        Header(next, "X-Ratelimit-Used").Should().Be(41);
        await Eventually.Until(() => cluster[0].Used("api") == 41, "node 0 sees the count go on from 40");
    }

    [Fact]
    public async Task PeerStopped_MarkedDown_ThenUpAfterRestart()
    {
        await using var cluster = await TestCluster.StartAsync(2, [Apps.Limited("api", 100)]);
        await cluster.AllUpAsync();

        await cluster.StopNodeAsync(1);
        await Eventually.Until(() => cluster[0].Peering.Membership.Peers.Single(p => p.Address is not null).Health == PeerHealth.Down, "node 0 marks node 1 down");
        cluster[0].Peering.Membership.IsPartitioned.Should().BeTrue();

        await cluster.StartNodeAsync(1);
        await cluster.AllUpAsync();
        cluster[0].Peering.Membership.IsPartitioned.Should().BeFalse();
    }

    [Fact]
    public async Task WrongToken_PeersRefusedAndCountsNotShared()
    {
        await using var cluster = await TestCluster.StartAsync(2, [Apps.Limited("api", 100)], token: "tok", tune: o => o.NodeId == "node-1" ? o with { Token = "other" } : o);

        await Eventually.Until(() => cluster[0].Peering.Metrics.AuthFailures > 0 && cluster[1].Peering.Metrics.AuthFailures > 0, "both nodes refuse the other's token");
        await cluster[0].Client.GetAsync("/api/x");

        cluster[1].Used("api").Should().Be(0);
        cluster[0].Peering.Membership.Peers.Single(p => p.Address is not null).Health.Should().NotBe(PeerHealth.Up);
    }

    [Fact]
    public async Task PeersEndpoint_ListsEveryPeer()
    {
        await using var cluster = await TestCluster.StartAsync(3, [Apps.Limited("api", 100)], token: "tok");
        await cluster.AllUpAsync();
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false })
        {
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        http.DefaultRequestHeaders.Authorization = new("Bearer", "tok");

        var json = await http.GetStringAsync(new Uri(cluster[0].PeerAddress, "/peers"));

        var peers = JsonDocument.Parse(json).RootElement.GetProperty("peers").EnumerateArray().ToList();
        peers.Select(p => p.GetProperty("nodeId").GetString()).Should().BeEquivalentTo(["node-1", "node-2"]);
        peers.Should().OnlyContain(p => p.GetProperty("state").GetString() == "up");
        foreach (var peer in peers)
        {
            foreach (var field in new[] { "address", "lastMessageAgeMs", "syncLagP50Ms", "syncLagP99Ms", "messagesInPerSecond", "bytesOutPerSecond" })
            {
                peer.TryGetProperty(field, out var _).Should().BeTrue(field);
            }
        }

        (await new HttpClient(new SocketsHttpHandler { UseProxy = false }) { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact }
            .GetAsync(new Uri(cluster[0].PeerAddress, "/peers"))).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }
}
