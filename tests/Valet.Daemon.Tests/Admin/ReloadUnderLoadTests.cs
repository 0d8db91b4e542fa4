using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Http;
using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Admin;

/// <summary>Requirement 8: a reload never fails a request of an unchanged app, and in-flight requests finish on their config.</summary>
public sealed class ReloadUnderLoadTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Clients = 50;
    private const int Reloads = 100;

    [Fact]
    public async Task Reloads100AndPutsOfOtherApps_50BusyClientsOnUnchangedApp_ZeroFailedRequests()
    {
        await using var backend = await TestBackend.StartAsync(c => c.Response.WriteAsync("steady"), record: false);
        await using var gateway = await TestGateway.StartAsync([TestGateway.App("steady", backend), TestGateway.MockApp("other", "v0")]);
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = gateway.Address };
        using var stop = new CancellationTokenSource();
        var failures = new ConcurrentQueue<string>();
        var served = 0L;
        var started = 0;
        var allStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        async Task Busy()
        {
            var first = true;
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var response = await client.GetAsync("/steady/x");
                    var body = await response.Content.ReadAsStringAsync();
                    if (response.StatusCode == HttpStatusCode.OK && body == "steady") Interlocked.Increment(ref served);
                    else failures.Enqueue($"{(int)response.StatusCode}: {body}");
                }
                catch (Exception e)
                {
                    failures.Enqueue(e.GetType().Name + ": " + e.Message);
                }

                if (first && Interlocked.Increment(ref started) == Clients) allStarted.TrySetResult();
                first = false;
            }
        }

        var busy = Enumerable.Range(0, Clients).Select(_ => Task.Run(Busy)).ToArray();
        await allStarted.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var servedBefore = Interlocked.Read(ref served);

        var steadyUnchanged = 0;
        for (var i = 0; i < Reloads; i++)
        {
            using var reload = await gateway.Admin.PostAsync("/reload", null);
            var report = await reload.JsonAsync();
            if (report.GetProperty("apps").EnumerateArray().Any(a => a.GetProperty("name").GetString() == "steady" && a.GetProperty("status").GetString() == "unchanged"))
            {
                steadyUnchanged++;
            }

            using var put = await gateway.Admin.PutAsync("/apis/other", JsonAnswers.Body(JsonAnswers.MockApp("other", $"v{i + 1}")));
            put.StatusCode.Should().Be(HttpStatusCode.OK);
            using var created = await gateway.Admin.PutAsync($"/apis/extra{i}", JsonAnswers.Body(JsonAnswers.MockApp($"extra{i}", "x")));
            created.StatusCode.Should().Be(HttpStatusCode.Created);
            if (i > 0) (await gateway.Admin.DeleteAsync($"/apis/extra{i - 1}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        }

        var servedDuring = Interlocked.Read(ref served) - servedBefore;
        await stop.CancelAsync();
        await Task.WhenAll(busy);

        output.WriteLine($"{Interlocked.Read(ref served)} requests served by {Clients} clients, {servedDuring} of them during {Reloads} reloads and {3 * Reloads - 1} PUT/DELETEs; {failures.Count} failed");
        failures.Should().BeEmpty();
        steadyUnchanged.Should().Be(Reloads);
        servedDuring.Should().BeGreaterThan(0, "the clients must have been served while the reloads ran");
        (await gateway.Client.GetStringAsync("/other/")).Should().Be($"v{Reloads}");
    }

    [Fact]
    public async Task InFlightRequest_AppReplacedMidRequest_FinishesOnOldConfig_NextUsesNew()
    {
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var oldBackend = await TestBackend.StartAsync(async c =>
        {
            arrived.TrySetResult();
            await release.Task;
            await c.Response.WriteAsync("old");
        });
        await using var newBackend = await TestBackend.StartNamedAsync("new");
        await using var gateway = await TestGateway.StartAsync([TestGateway.App("svc", oldBackend)]);

        var pending = gateway.Client.GetStringAsync("/svc/slow");
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
        using var put = await gateway.Admin.PutAsync("/apis/svc", JsonAnswers.Body(JsonAnswers.AppFile("svc", newBackend)));
        var next = await gateway.Client.GetStringAsync("/svc/fast");
        release.SetResult();

        put.StatusCode.Should().Be(HttpStatusCode.OK);
        next.Should().Be("new");
        (await pending).Should().Be("old");
        oldBackend.Hits.Should().Be(1);
    }

    [Fact]
    public async Task InFlightRequest_AppDeletedMidRequest_Finishes_NextIs404()
    {
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var backend = await TestBackend.StartAsync(async c =>
        {
            arrived.TrySetResult();
            await release.Task;
            await c.Response.WriteAsync("finished");
        });
        await using var gateway = await TestGateway.StartAsync([TestGateway.App("svc", backend)]);

        var pending = gateway.Client.GetAsync("/svc/slow");
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
        using var delete = await gateway.Admin.DeleteAsync("/apis/svc");
        using var next = await gateway.Client.GetAsync("/svc/again");
        release.SetResult();
        using var finished = await pending;

        delete.StatusCode.Should().Be(HttpStatusCode.NoContent);
        next.StatusCode.Should().Be(HttpStatusCode.NotFound);
        finished.StatusCode.Should().Be(HttpStatusCode.OK);
        (await finished.Content.ReadAsStringAsync()).Should().Be("finished");
    }
}
