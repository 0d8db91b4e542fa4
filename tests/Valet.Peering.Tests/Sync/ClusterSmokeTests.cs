using Valet.Peering.Tests.Infrastructure;

namespace Valet.Peering.Tests.Sync;

public sealed class ClusterSmokeTests
{
    [Fact]
    public async Task TwoNodes_CountOnOne_SeenByOther()
    {
        await using var cluster = await TestCluster.StartAsync(2, [Apps.Limited("api", 100)]);
        await cluster.AllUpAsync();

        var response = await cluster[0].Client.GetAsync("/api/x");
        response.StatusCode.Should().Be(System.Net.HttpStatusCode.OK);

        await Eventually.Until(() => cluster[1].Used("api") == 1, "node 1 sees node 0's request");
    }
}
