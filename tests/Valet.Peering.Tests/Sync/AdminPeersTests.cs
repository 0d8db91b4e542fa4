using System.Text.Json;
using Valet.Peering.Tests.Infrastructure;

namespace Valet.Peering.Tests.Sync;

/// <summary>The admin API's <c>GET /peers</c>: the same table as the peer port's, behind the admin token.</summary>
public sealed class AdminPeersTests
{
    [Fact]
    public async Task AdminPeers_ThreeNodes_ListsTheOtherTwoUp_ThenOneDownWhenStopped()
    {
        await using var cluster = await TestCluster.StartAsync(3, [Apps.Limited("api", 100)], token: "tok");
        await cluster.AllUpAsync();
        using var admin = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = cluster[0].AdminAddress };

        var first = JsonDocument.Parse(await admin.GetStringAsync("/peers")).RootElement;

        first.GetProperty("nodeId").GetString().Should().Be("node-0");
        first.GetProperty("clustered").GetBoolean().Should().BeTrue();
        var peers = first.GetProperty("peers").EnumerateArray().ToList();
        peers.Select(p => p.GetProperty("nodeId").GetString()).Should().BeEquivalentTo(["node-1", "node-2"]);
        peers.Should().OnlyContain(p => p.GetProperty("state").GetString() == "up");

        await cluster.StopNodeAsync(2);
        await Eventually.Until(async () =>
        {
            var now = JsonDocument.Parse(await admin.GetStringAsync("/peers")).RootElement.GetProperty("peers").EnumerateArray();
            return now.Any(p => p.GetProperty("nodeId").GetString() == "node-2" && p.GetProperty("state").GetString() == "down");
        }, "node-0 sees node-2 down");
    }
}
