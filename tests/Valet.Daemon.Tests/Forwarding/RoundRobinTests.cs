using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Forwarding;

public sealed class RoundRobinTests
{
    [Fact]
    public async Task Forward_ThreeEndpoints_CyclesInStrictOrder()
    {
        await using var a = await TestBackend.StartNamedAsync("a");
        await using var b = await TestBackend.StartNamedAsync("b");
        await using var c = await TestBackend.StartNamedAsync("c");
        await using var gateway = await TestGateway.StartAsync([TestGateway.App("svc", a, b, c)]);

        var answers = new List<string>();
        for (var i = 0; i < 9; i++) answers.Add(await gateway.Client.GetStringAsync("/svc/x"));

        answers.Should().Equal("a", "b", "c", "a", "b", "c", "a", "b", "c");
    }

    [Fact]
    public async Task Forward_300RequestsWith100Concurrent_EachEndpointGetsExactlyAThird()
    {
        await using var a = await TestBackend.StartNamedAsync("a");
        await using var b = await TestBackend.StartNamedAsync("b");
        await using var c = await TestBackend.StartNamedAsync("c");
        await using var gateway = await TestGateway.StartAsync([TestGateway.App("svc", a, b, c)]);

        using var gate = new SemaphoreSlim(100);
        var tasks = Enumerable.Range(0, 300).Select(async _ =>
        {
            await gate.WaitAsync();
            try
            {
                using var response = await gateway.Client.GetAsync("/svc/x");
                response.EnsureSuccessStatusCode();
            }
            finally
            {
                gate.Release();
            }
        });
        await Task.WhenAll(tasks);

        new[] { a.Hits, b.Hits, c.Hits }.Should().Equal(100, 100, 100);
    }
}
