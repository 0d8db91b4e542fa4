using System.Net;
using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Diagnostics;

/// <summary>
/// Issue 9, requirements 1 and 7: every instrument of the <c>Valet</c> meter after a known sequence
/// of requests, read from <c>GET /metrics</c> through Debian's prometheus_client parser.
/// </summary>
public sealed class MetricsInstrumentTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 10, 0, 20, TimeSpan.Zero);

    private static Dictionary<string, object?> Svc(TestBackend backend)
    {
        var app = TestGateway.App("svc", backend);
        app["authorize"] = true;
        app["rateLimit"] = true;
        app["limitValue"] = 2;
        app["limitBy"] = "consumer";
        app["keys"] = new object[] { new { id = "alice", key = "alice-key-7f3a9" }, new { id = "bob", key = "bob-key-91c2e" } };
        return app;
    }

    private static async Task<List<PromSample>> ScrapeAsync(TestGateway gateway) =>
        await PrometheusParser.ParseAsync(await gateway.Admin.GetStringAsync("/metrics"));

    [Fact]
    public async Task KnownSequence_RequestsDurationsBytesAndRateLimitDecisions()
    {
        await using var backend = await TestBackend.StartNamedAsync("0123456789");
        await using var gateway = await TestGateway.StartAsync([Svc(backend), TestGateway.MockApp("hello")], time: new ManualClock(Start));
        var bodyBytes = new Dictionary<string, long> { ["svc"] = 0, ["hello"] = 0, ["-"] = 0 };

        async Task Send(string app, HttpMethod method, string path, string? key = null, string? body = null, HttpStatusCode? expect = null)
        {
            using var request = new HttpRequestMessage(method, path);
            if (key is not null) request.Headers.Add("X-Valet-Auth", key);
            if (body is not null) request.Content = new StringContent(body);
            using var response = await gateway.Client.SendAsync(request);
            if (expect is { } status) response.StatusCode.Should().Be(status, $"{method} {path}");
            bodyBytes[app] += (await response.Content.ReadAsByteArrayAsync()).Length;
        }

        await Send("svc", HttpMethod.Get, "/svc/a", "alice-key-7f3a9", expect: HttpStatusCode.OK);
        await Send("svc", HttpMethod.Get, "/svc/a", "alice-key-7f3a9", expect: HttpStatusCode.OK);
        await Send("svc", HttpMethod.Get, "/svc/a", "alice-key-7f3a9", expect: HttpStatusCode.TooManyRequests);
        await Send("svc", HttpMethod.Post, "/svc/a", "bob-key-91c2e", body: "12345", expect: HttpStatusCode.OK);
        await Send("svc", HttpMethod.Get, "/svc/a", expect: HttpStatusCode.Unauthorized);
        await Send("hello", HttpMethod.Get, "/hello/", expect: HttpStatusCode.OK);
        await Send("hello", new HttpMethod("FROB"), "/hello/", expect: HttpStatusCode.NotFound);
        await Send("-", HttpMethod.Get, "/nope/x", expect: HttpStatusCode.NotFound);

        var samples = await ScrapeAsync(gateway);

        double Requests(string app, string method, string status, string consumer) =>
            samples.Value("valet_requests_total", ("app", app), ("method", method), ("status", status), ("consumer", consumer));
        Requests("svc", "GET", "2xx", "alice").Should().Be(2);
        Requests("svc", "GET", "4xx", "alice").Should().Be(1);
        Requests("svc", "POST", "2xx", "bob").Should().Be(1);
        Requests("svc", "GET", "4xx", "-").Should().Be(1);
        Requests("hello", "GET", "2xx", "-").Should().Be(1);
        Requests("hello", "OTHER", "4xx", "-").Should().Be(1);
        Requests("-", "GET", "4xx", "-").Should().Be(1);
        samples.Where(s => s.Name == "valet_requests_total").Sum(s => s.Value).Should().Be(8);
        samples.Single(s => s.Name == "valet_requests_total" && s.Has(("consumer", "bob"))).Help
            .Should().Be("Requests answered, by app, method, status class and consumer.");

        samples.Value("valet_request_duration_seconds_count", ("app", "svc")).Should().Be(5);
        samples.Value("valet_request_duration_seconds_count", ("app", "hello")).Should().Be(2);
        samples.Value("valet_request_duration_seconds_count", ("app", "-")).Should().Be(1);
        samples.Value("valet_request_duration_seconds_bucket", ("app", "svc"), ("le", "+Inf")).Should().Be(5);
        samples.Value("valet_upstream_duration_seconds_count", ("app", "svc")).Should().Be(3, "three requests reached the endpoint");
        samples.Value("valet_upstream_duration_seconds_count", ("app", "hello")).Should().Be(0, "mocks call no endpoint");

        samples.Value("valet_ratelimit_decisions_total", ("app", "svc"), ("decision", "admitted")).Should().Be(3);
        samples.Value("valet_ratelimit_decisions_total", ("app", "svc"), ("decision", "rejected")).Should().Be(1);

        samples.Value("valet_request_body_bytes_total", ("app", "svc")).Should().Be(5);
        samples.Value("valet_response_body_bytes_total", ("app", "svc")).Should().Be(bodyBytes["svc"]);
        samples.Value("valet_response_body_bytes_total", ("app", "hello")).Should().Be(bodyBytes["hello"]);
        samples.Value("valet_response_body_bytes_total", ("app", "-")).Should().Be(bodyBytes["-"]);
        samples.Value("valet_requests_in_flight").Should().Be(0);
        samples.Value("valet_apps").Should().Be(2);
        samples.Value("valet_accesslog_dropped_total").Should().Be(0);
        samples.Single(s => s.Name == "valet_requests_in_flight").Type.Should().Be("gauge");
    }

    [Fact]
    public async Task InFlight_OneWhileTheEndpointHoldsTheAnswer_ZeroAfter()
    {
        await using var gated = await GatedBackend.StartAsync("{}");
        await using var gateway = await TestGateway.StartAsync([TestGateway.App("slow", gated.Backend)]);

        var pending = gateway.Client.GetAsync("/slow/x");
        await gated.Arrived.Task.Within("the request reached the endpoint");
        var during = await ScrapeAsync(gateway);
        gated.Release.SetResult();
        using (var response = await pending) response.StatusCode.Should().Be(HttpStatusCode.OK);
        var after = await ScrapeAsync(gateway);

        during.Value("valet_requests_in_flight").Should().Be(1);
        during.Value("valet_requests_total", ("app", "slow")).Should().Be(0);
        after.Value("valet_requests_in_flight").Should().Be(0);
        after.Value("valet_requests_total", ("app", "slow"), ("status", "2xx")).Should().Be(1);
    }

    [Fact]
    public async Task Reloads_CountedByResult_LastSuccessAndItsTime()
    {
        var clock = new ManualClock(Start);
        await using var gateway = await TestGateway.StartAsync([TestGateway.MockApp("a")], time: clock);

        clock.Advance(TimeSpan.FromSeconds(10));
        gateway.Rewrite(TestGateway.MockApp("a", "v2")).Ok.Should().BeTrue();
        var afterOk = await ScrapeAsync(gateway);
        clock.Advance(TimeSpan.FromSeconds(10));
        gateway.Conf.Write("broken.json", "{ \"name\": \"broken\", \"mocks\": [ { \"path\": 42 } ] }");
        gateway.Config.Reload().Ok.Should().BeFalse();
        var afterFailed = await ScrapeAsync(gateway);

        afterOk.Value("valet_config_reloads_total", ("result", "ok")).Should().Be(2, "the first load counts too");
        afterOk.Value("valet_config_last_reload_success").Should().Be(1);
        afterOk.Value("valet_config_last_reload_success_time_seconds").Should().Be(Start.AddSeconds(10).ToUnixTimeSeconds());
        afterFailed.Value("valet_config_reloads_total", ("result", "ok")).Should().Be(2);
        afterFailed.Value("valet_config_reloads_total", ("result", "failed")).Should().Be(1);
        afterFailed.Value("valet_config_last_reload_success").Should().Be(0);
        afterFailed.Value("valet_config_last_reload_success_time_seconds").Should().Be(Start.AddSeconds(10).ToUnixTimeSeconds(),
            "the last successful load is still the one before");
    }

    [Fact]
    public async Task EndpointHealth_ZeroWhileAnUnreachableEndpointCoolsDown()
    {
        await using var up = await TestBackend.StartNamedAsync("up");
        var down = ClosedPort.Get();
        var app = TestGateway.App("pair", up);
        app["endpoints"] = new object[] { new { host = "127.0.0.1", path = "", port = up.Port }, new { host = "127.0.0.1", path = "", port = down } };
        await using var gateway = await TestGateway.StartAsync([app], cooldown: TimeSpan.FromMinutes(5));

        var before = await ScrapeAsync(gateway);
        for (var i = 0; i < 2; i++) (await gateway.Client.GetAsync("/pair/x")).Dispose();
        var after = await ScrapeAsync(gateway);

        before.Value("valet_endpoint_healthy", ("app", "pair"), ("endpoint", $"http://127.0.0.1:{down}")).Should().Be(1);
        after.Value("valet_endpoint_healthy", ("app", "pair"), ("endpoint", $"http://127.0.0.1:{down}")).Should().Be(0);
        after.Value("valet_endpoint_healthy", ("app", "pair"), ("endpoint", $"http://127.0.0.1:{up.Port}")).Should().Be(1);
    }
}
