using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Forwarding;

public sealed class FailureTests
{
    private static Dictionary<string, object?> AppWithPorts(string name, double? timeout, params int[] ports)
    {
        var app = new Dictionary<string, object?>
        {
            ["name"] = name,
            ["endpoints"] = ports.Select(p => new { host = "127.0.0.1", port = p }).ToArray(),
        };
        if (timeout is not null) app["timeout"] = timeout;
        return app;
    }

    [Fact]
    public async Task Forward_FirstEndpointDown_RetriedOnNextAndDownOneSkippedAfterwards()
    {
        await using var up = await TestBackend.StartNamedAsync("up");
        await using var gateway = await TestGateway.StartAsync([AppWithPorts("svc", null, ClosedPort.Get(), up.Port)]);

        for (var i = 0; i < 4; i++)
        {
            using var response = await gateway.Client.GetAsync("/svc/x");
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            (await response.Content.ReadAsStringAsync()).Should().Be("up");
        }

        up.Hits.Should().Be(4);
    }

    [Fact]
    public async Task Forward_PostToDownEndpoint_NotRetried502()
    {
        await using var up = await TestBackend.StartNamedAsync("up");
        await using var gateway = await TestGateway.StartAsync([AppWithPorts("svc", null, ClosedPort.Get(), up.Port)]);

        using var response = await gateway.Client.PostAsync("/svc/x", new StringContent("payload"));

        response.StatusCode.Should().Be(HttpStatusCode.BadGateway);
        up.Hits.Should().Be(0);
    }

    [Fact]
    public async Task Forward_AllEndpointsDown_502ThenCoolingDown503WithRetryAfter()
    {
        await using var gateway = await TestGateway.StartAsync([AppWithPorts("svc", null, ClosedPort.Get(), ClosedPort.Get())]);

        using var first = await gateway.Client.GetAsync("/svc/x");
        first.StatusCode.Should().Be(HttpStatusCode.BadGateway);
        first.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");

        using var second = await gateway.Client.GetAsync("/svc/x");
        second.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        second.Headers.RetryAfter!.Delta!.Value.TotalSeconds.Should().BeInRange(1, 10);
        var problem = JsonDocument.Parse(await second.Content.ReadAsStringAsync()).RootElement;
        problem.GetProperty("status").GetInt32().Should().Be(503);
        problem.GetProperty("app").GetString().Should().Be("svc");
        problem.GetProperty("requestId").GetString().Should().Be(second.Headers.GetValues("X-Request-Id").Single());
    }

    [Fact]
    public async Task Forward_SlowEndpoint_504AndBackendCancelled()
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var slow = await TestBackend.StartAsync(async c =>
        {
            try { await Task.Delay(Timeout.Infinite, c.RequestAborted); }
            catch (OperationCanceledException) { cancelled.TrySetResult(); }
        });
        await using var gateway = await TestGateway.StartAsync([AppWithPorts("svc", 0.3, slow.Port)]);

        using var response = await gateway.Client.GetAsync("/svc/slow");

        response.StatusCode.Should().Be(HttpStatusCode.GatewayTimeout);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        problem.GetProperty("type").GetString().Should().Be("urn:valet:problem:upstream-timeout");
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Forward_ClientAborts_UpstreamCallCancelled()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var slow = await TestBackend.StartAsync(async c =>
        {
            started.TrySetResult();
            try { await Task.Delay(Timeout.Infinite, c.RequestAborted); }
            catch (OperationCanceledException) { cancelled.TrySetResult(); }
        });
        await using var gateway = await TestGateway.StartAsync([AppWithPorts("svc", 60, slow.Port)]);

        using var abort = new CancellationTokenSource();
        var call = gateway.Client.GetAsync("/svc/slow", abort.Token);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        abort.Cancel();

        await FluentActions.Awaiting(() => call).Should().ThrowAsync<OperationCanceledException>();
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Forward_EndpointResetsMidBody_ClientConnectionAborted()
    {
        await using var backend = ScriptedHttp1Backend.Start((_, _) => new ScriptedHttp1Backend.Answer(
            "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\npartial", Close: true));
        var app = new Dictionary<string, object?> { ["name"] = "svc", ["endpoints"] = new[] { new { host = "127.0.0.1", port = backend.Port } } };
        await using var gateway = await TestGateway.StartAsync([app]);

        var read = async () =>
        {
            using var response = await gateway.Client.GetAsync("/svc/x", HttpCompletionOption.ResponseHeadersRead);
            await response.Content.ReadAsByteArrayAsync();
        };

        await read.Should().ThrowAsync<Exception>();
        using var next = await gateway.Client.GetAsync("/nope/");
        next.StatusCode.Should().Be(HttpStatusCode.NotFound, "the gateway keeps serving");
    }
}
