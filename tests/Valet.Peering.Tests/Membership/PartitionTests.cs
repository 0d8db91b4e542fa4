using System.Net;
using Valet.Peering.Membership;
using Valet.Peering.Tests.Infrastructure;

namespace Valet.Peering.Tests.Membership;

/// <summary>Links cut by a relay: the share and open policies, then convergence after the heal.</summary>
public sealed class PartitionTests
{
    private static async Task CutAsync(TestCluster cluster)
    {
        cluster.Relay(0, 1).Cut();
        cluster.Relay(1, 0).Cut();
        await Eventually.Until(() => cluster[0].Peering.Membership.IsPartitioned && cluster[1].Peering.Membership.IsPartitioned, "both nodes see the partition");
    }

    private static async Task HealAsync(TestCluster cluster)
    {
        cluster.Relay(0, 1).Heal();
        cluster.Relay(1, 0).Heal();
        await cluster.AllUpAsync();
    }

    private static async Task<int> AdmittedAsync(ClusterNode node, int requests)
    {
        var admitted = 0;
        for (var i = 0; i < requests; i++)
        {
            using var response = await node.Client.GetAsync("/api/x");
            if (response.StatusCode == HttpStatusCode.OK) admitted++;
        }

        return admitted;
    }

    [Fact]
    public async Task Share_BothSidesBusy_NeverOverTheLimit_ThenCountsAgree()
    {
        await using var cluster = await TestCluster.StartAsync(2, [Apps.Limited("api", 100, "share")], relayed: true);
        await cluster.AllUpAsync();
        (await AdmittedAsync(cluster[0], 20)).Should().Be(20);
        await Eventually.Until(() => cluster[1].Used("api") == 20, "node 1 saw the first 20");

        await CutAsync(cluster);
        var left = await AdmittedAsync(cluster[0], 100);
        var right = await AdmittedAsync(cluster[1], 100);

        (20 + left + right).Should().BeLessThanOrEqualTo(100, "share never admits over the limit");
        left.Should().Be(40, "each of 2 nodes spends (100 - 20) / 2");
        right.Should().Be(40);

        await HealAsync(cluster);
        await Eventually.Until(() => cluster[0].Used("api") == 100 && cluster[1].Used("api") == 100, "both nodes agree on 100 after the heal");
    }

    [Fact]
    public async Task Open_EachSideCountsAlone_ThenCountsAgree()
    {
        await using var cluster = await TestCluster.StartAsync(2, [Apps.Limited("api", 50, "open")], relayed: true);
        await cluster.AllUpAsync();

        await CutAsync(cluster);
        var left = await AdmittedAsync(cluster[0], 60);
        var right = await AdmittedAsync(cluster[1], 60);

        left.Should().Be(50);
        right.Should().Be(50, "open lets each node spend the whole limit alone");

        await HealAsync(cluster);
        await Eventually.Until(() => cluster[0].Used("api") == 100 && cluster[1].Used("api") == 100, "both nodes agree on 100 after the heal");
        (await cluster[0].Client.GetAsync("/api/x")).StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task Cut_PeerMarkedDown_AndUpAgainAfterHeal()
    {
        await using var cluster = await TestCluster.StartAsync(2, [Apps.Limited("api", 50)], relayed: true);
        await cluster.AllUpAsync();

        await CutAsync(cluster);
        cluster[0].Peering.Membership.Peers.Single(p => p.Address is not null).Health.Should().Be(PeerHealth.Down);

        await HealAsync(cluster);
        cluster[0].Peering.Membership.Peers.Single(p => p.Address is not null).Health.Should().Be(PeerHealth.Up);
    }
}
