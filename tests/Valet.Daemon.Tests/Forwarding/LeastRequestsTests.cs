using System.Threading.Channels;
using Microsoft.AspNetCore.Http;
using Valet.Daemon.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Valet.Daemon.Tests.Forwarding;

/// <summary>
/// One endpoint ten times slower than the others. Latency is counted in requests, not time: the
/// client sends requests one after another; a fast endpoint answers at once, the slow one holds
/// each request until ten more requests have been sent. So the test is the same on any machine,
/// and the assertions are on counts.
/// </summary>
public sealed class LeastRequestsTests(ITestOutputHelper output)
{
    private const int Requests = 300;
    private const int SlowFactor = 10;

    [Fact]
    public async Task SlowEndpoint_LeastRequestsGivesItAMuchSmallerShareThanRoundRobin()
    {
        var roundRobin = await SlowEndpointHitsAsync("roundRobin");
        var leastRequests = await SlowEndpointHitsAsync("leastRequests");
        output.WriteLine($"slow endpoint's share of {Requests} requests: roundRobin {roundRobin}, leastRequests {leastRequests}");

        roundRobin.Should().Be(Requests / 3, "round robin rotates strictly, whatever the latency");
        leastRequests.Should().BeLessThan(roundRobin / 2, "the slow endpoint has requests in flight while the others are idle");
        leastRequests.Should().BeGreaterThan(0, "an idle slow endpoint still gets its turn");
    }

    [Fact]
    public async Task EqualEndpoints_LeastRequestsRotatesLikeRoundRobin()
    {
        await using var a = await TestBackend.StartNamedAsync("a");
        await using var b = await TestBackend.StartNamedAsync("b");
        await using var c = await TestBackend.StartNamedAsync("c");
        var app = TestGateway.App("svc", a, b, c);
        app["loadBalancing"] = "leastRequests";
        await using var gateway = await TestGateway.StartAsync([app]);

        var answers = new List<string>();
        for (var i = 0; i < 6; i++) answers.Add(await gateway.Client.GetStringAsync("/svc/x"));

        answers.Should().Equal("a", "b", "c", "a", "b", "c");
    }

    private static async Task<int> SlowEndpointHitsAsync(string policy)
    {
        // Each request reports its arrival: null from a fast endpoint, the gate holding it from the slow one.
        var arrivals = Channel.CreateUnbounded<TaskCompletionSource?>();
        await using var fast1 = await TestBackend.StartAsync(c =>
        {
            arrivals.Writer.TryWrite(null);
            return c.Response.WriteAsync("fast");
        });
        await using var fast2 = await TestBackend.StartAsync(c =>
        {
            arrivals.Writer.TryWrite(null);
            return c.Response.WriteAsync("fast");
        });
        await using var slow = await TestBackend.StartAsync(async c =>
        {
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            arrivals.Writer.TryWrite(gate);
            await gate.Task;
            await c.Response.WriteAsync("slow");
        });
        var app = TestGateway.App("svc", fast1, slow, fast2);
        app["loadBalancing"] = policy;
        await using var gateway = await TestGateway.StartAsync([app]);

        var held = new Queue<(int ReleaseAt, TaskCompletionSource Gate)>();
        var pending = new List<Task<HttpResponseMessage>>();
        try
        {
            for (var step = 0; step < Requests; step++)
            {
                var response = gateway.Client.GetAsync("/svc/x");
                using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                var gate = await arrivals.Reader.ReadAsync(deadline.Token);
                if (gate is null) (await response).EnsureSuccessStatusCode().Dispose();
                else
                {
                    held.Enqueue((step + SlowFactor, gate));
                    pending.Add(response);
                }

                while (held.Count > 0 && held.Peek().ReleaseAt <= step) held.Dequeue().Gate.SetResult();
            }
        }
        finally
        {
            while (held.Count > 0) held.Dequeue().Gate.TrySetResult();
        }

        foreach (var response in await Task.WhenAll(pending)) response.EnsureSuccessStatusCode().Dispose();
        fast1.Hits.Should().BeGreaterThan(0);
        fast2.Hits.Should().BeGreaterThan(0);
        return slow.Hits;
    }
}
