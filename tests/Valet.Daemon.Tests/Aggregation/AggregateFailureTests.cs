using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Valet.Daemon.Tests.Infrastructure;
using static Valet.Daemon.Tests.Aggregation.Aggregates;

namespace Valet.Daemon.Tests.Aggregation;

public sealed class AggregateFailureTests
{
    private static async Task<(JsonElement Problem, JsonElement Parts)> ProblemAsync(HttpResponseMessage response)
    {
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = await JsonAsync(response);
        return (problem, problem.GetProperty("parts"));
    }

    private static (string Key, string App, int Status, string Error) FailedPart(JsonElement part) =>
        (part.GetProperty("key").GetString()!, part.GetProperty("app").GetString()!, part.GetProperty("status").GetInt32(), part.GetProperty("error").GetString()!);

    [Fact]
    public async Task Required_PartAnswers500_502NamingThePartAndTheOtherPartIsCancelled()
    {
        await using var failing = await GatedBackend.StartAsync("boom", "text/plain", status: 500);
        await using var slow = await GatedBackend.StartAsync("{}");
        await using var gateway = await TestGateway.StartAsync(
            [App("bad", failing), App("slow", slow), Aggregate("dash", [Part("slow", "slow"), Part("bad", "bad")])]);

        var pending = gateway.Client.GetAsync("/dash/");
        await Task.WhenAll(failing.Arrived.Task, slow.Arrived.Task).Within("both parts reached their backends");
        failing.Release.SetResult();
        using var response = await pending;

        response.StatusCode.Should().Be(HttpStatusCode.BadGateway);
        Header(response, "X-Valet-Completed").Should().Be("false");
        var (problem, parts) = await ProblemAsync(response);
        problem.GetProperty("type").GetString().Should().Be("urn:valet:problem:aggregate-part-failed");
        problem.GetProperty("app").GetString().Should().Be("dash");
        problem.GetProperty("detail").GetString().Should().Be("required part 'bad' (app 'bad') failed: answered 500");
        parts.EnumerateArray().Select(FailedPart).Should().Equal(("bad", "bad", 500, "answered 500"));
        await slow.Aborted.Task.Within("the slow part's request was cancelled");
    }

    [Fact]
    public async Task Required_PartUnreachable_502()
    {
        await using var gateway = await TestGateway.StartAsync(
        [
            new Dictionary<string, object?> { ["name"] = "down", ["endpoints"] = new[] { new { host = "127.0.0.1", port = ClosedPort.Get() } } },
            Aggregate("dash", [Part("down", "down")]),
        ]);

        using var response = await gateway.Client.GetAsync("/dash/");

        response.StatusCode.Should().Be(HttpStatusCode.BadGateway);
        var (_, parts) = await ProblemAsync(response);
        parts.EnumerateArray().Select(FailedPart).Should().Equal(("down", "down", 502, "could not connect to an endpoint of app 'down'"));
    }

    [Fact]
    public async Task Optional_PartFails_NullMemberCompletedFalseStatus200()
    {
        await using var ok = await TestBackend.StartAsync(c => c.Response.WriteAsJsonAsync(new { fine = true }));
        await using var failing = await TestBackend.StartAsync(c =>
        {
            c.Response.StatusCode = 503;
            return c.Response.WriteAsync("down");
        });
        await using var gateway = await TestGateway.StartAsync(
        [
            TestGateway.App("ok", ok), TestGateway.App("flaky", failing),
            new Dictionary<string, object?> { ["name"] = "down", ["endpoints"] = new[] { new { host = "127.0.0.1", port = ClosedPort.Get() } } },
            Aggregate("dash", [Part("ok", "ok"), Part("flaky", "flaky", required: false), Part("down", "down", required: false)], includeMeta: true),
        ]);

        using var response = await gateway.Client.GetAsync("/dash/");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        Header(response, "X-Valet-Completed").Should().Be("false");
        var json = await JsonAsync(response);
        json.GetProperty("ok").GetProperty("fine").GetBoolean().Should().BeTrue();
        json.GetProperty("flaky").ValueKind.Should().Be(JsonValueKind.Null);
        json.GetProperty("down").ValueKind.Should().Be(JsonValueKind.Null);
        var meta = json.GetProperty("_meta");
        meta.GetProperty("flaky").GetProperty("status").GetInt32().Should().Be(503);
        meta.GetProperty("down").GetProperty("status").GetInt32().Should().Be(502);
        meta.GetProperty("down").GetProperty("error").GetString().Should().Be("could not connect to an endpoint of app 'down'");
    }

    [Fact]
    public async Task Required_PartTimeout_504AndThePartRequestIsCancelled()
    {
        await using var hanging = await GatedBackend.StartAsync("{}");
        await using var gateway = await TestGateway.StartAsync([App("slow", hanging), Aggregate("dash", [Part("slow", "slow", timeout: 0.2)])]);

        using var response = await gateway.Client.GetAsync("/dash/");

        response.StatusCode.Should().Be(HttpStatusCode.GatewayTimeout);
        var (problem, parts) = await ProblemAsync(response);
        problem.GetProperty("type").GetString().Should().Be("urn:valet:problem:aggregate-part-timeout");
        parts.EnumerateArray().Select(FailedPart).Should().Equal(("slow", "slow", 504, "timed out after 0.2s (the part's timeout)"));
        await hanging.Aborted.Task.Within("the timed-out part's request was cancelled");
    }

    [Fact]
    public async Task Optional_PartTimeout_NullMemberAndTheOthersServed()
    {
        await using var hanging = await GatedBackend.StartAsync("{}");
        await using var fast = await TestBackend.StartNamedAsync("fast");
        await using var gateway = await TestGateway.StartAsync(
        [
            App("slow", hanging), TestGateway.App("fast", fast),
            Aggregate("dash", [Part("fast", "fast"), Part("slow", "slow", required: false, timeout: 0.2)], includeMeta: true),
        ]);

        using var response = await gateway.Client.GetAsync("/dash/");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        Header(response, "X-Valet-Completed").Should().Be("false");
        var json = await JsonAsync(response);
        json.GetProperty("fast").GetString().Should().Be("fast");
        json.GetProperty("slow").ValueKind.Should().Be(JsonValueKind.Null);
        json.GetProperty("_meta").GetProperty("slow").GetProperty("status").GetInt32().Should().Be(504);
        json.GetProperty("_meta").GetProperty("slow").GetProperty("error").GetString().Should().Be("timed out after 0.2s (the part's timeout)");
        await hanging.Aborted.Task.Within("the timed-out part's request was cancelled");
    }

    [Fact]
    public async Task AggregateTimeout_UnfinishedPartsTimeOutAndAreCancelled()
    {
        await using var hanging = await GatedBackend.StartAsync("{}");
        await using var hangingToo = await GatedBackend.StartAsync("{}");
        await using var gateway = await TestGateway.StartAsync(
        [
            App("slow", hanging), App("slower", hangingToo),
            Aggregate("dash", [Part("slow", "slow"), Part("slower", "slower", required: false)], timeout: 0.2),
        ]);

        using var response = await gateway.Client.GetAsync("/dash/");

        response.StatusCode.Should().Be(HttpStatusCode.GatewayTimeout);
        var (_, parts) = await ProblemAsync(response);
        parts.EnumerateArray().Select(FailedPart).Should().Equal(("slow", "slow", 504, "timed out after 0.2s (the aggregate's timeout)"));
        await Task.WhenAll(hanging.Aborted.Task, hangingToo.Aborted.Task).Within("both parts' requests were cancelled");
    }

    [Fact]
    public async Task AggregateTimeout_OnlyOptionalPartsUnfinished_200WithNulls()
    {
        await using var hanging = await GatedBackend.StartAsync("{}");
        await using var fast = await TestBackend.StartNamedAsync("fast");
        await using var gateway = await TestGateway.StartAsync(
        [
            App("slow", hanging), TestGateway.App("fast", fast),
            Aggregate("dash", [Part("fast", "fast"), Part("slow", "slow", required: false)], timeout: 0.2),
        ]);

        using var response = await gateway.Client.GetAsync("/dash/");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Be("""{"fast":"fast","slow":null}""");
    }

    [Fact]
    public async Task ClientAborts_EveryPartRequestIsCancelled()
    {
        await using var a = await GatedBackend.StartAsync("{}");
        await using var b = await GatedBackend.StartAsync("{}");
        await using var gateway = await TestGateway.StartAsync([App("a", a), App("b", b), Aggregate("dash", [Part("a", "a"), Part("b", "b", required: false)])]);
        using var abort = new CancellationTokenSource();

        var pending = gateway.Client.GetAsync("/dash/", abort.Token);
        await Task.WhenAll(a.Arrived.Task, b.Arrived.Task).Within("both parts reached their backends");
        abort.Cancel();

        await Task.WhenAll(a.Aborted.Task, b.Aborted.Task).Within("both parts' requests were cancelled");
        await FluentActions.Awaiting(() => pending).Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task PartAppRemovedAtReload_AggregateKeepsServingAndThePartFails502()
    {
        await using var backend = await TestBackend.StartNamedAsync("x");
        await using var gateway = await TestGateway.StartAsync([TestGateway.App("svc", backend), Aggregate("dash", [Part("svc", "svc")])]);

        File.Delete(Path.Combine(gateway.Conf.Path, "svc.json"));
        var report = gateway.Config.Reload();
        using var response = await gateway.Client.GetAsync("/dash/");

        report.Changes.Single(c => c.App == "dash").Should().Match<Valet.Core.Configuration.AppChange>(c => c.StillServing && c.Errors.Count == 1);
        response.StatusCode.Should().Be(HttpStatusCode.BadGateway);
        var (_, parts) = await ProblemAsync(response);
        parts.EnumerateArray().Select(FailedPart).Should().Equal(("svc", "svc", 502, "app 'svc' is not served"));
    }

    [Fact]
    public async Task Optional_PartsRefusedByTheirAppsPipeline_NullWithTheStatusADirectRequestWouldGet()
    {
        await using var backend = await TestBackend.StartNamedAsync("x");
        var getOnly = TestGateway.App("getonly", backend);
        getOnly["methods"] = new[] { "GET" };
        await using var gateway = await TestGateway.StartAsync(
        [
            getOnly,
            new Dictionary<string, object?> { ["name"] = "mocked", ["mocks"] = new object[] { new { path = "/known", body = "k" } } },
            Aggregate("dash", [Part("method", "getonly", required: false), Part("nomock", "mocked", "/unknown", required: false), Part("mock", "mocked", "/known")], includeMeta: true),
        ]);

        using var response = await gateway.Client.PostAsync("/dash/", null);
        var json = await JsonAsync(response);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        json.GetProperty("mock").GetString().Should().Be("k");
        var meta = json.GetProperty("_meta");
        (meta.GetProperty("method").GetProperty("status").GetInt32(), meta.GetProperty("method").GetProperty("error").GetString())
            .Should().Be((405, "app 'getonly' does not accept POST"));
        (meta.GetProperty("nomock").GetProperty("status").GetInt32(), meta.GetProperty("nomock").GetProperty("error").GetString())
            .Should().Be((404, "app 'mocked' has no mock for POST /unknown"));
        backend.Hits.Should().Be(0);
    }
}
