using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Policies;

public sealed class RateLimitTests
{
    // 10:00:20 UTC: 20 s into a 60 s window aligned on the Unix epoch.
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 10, 0, 20, TimeSpan.Zero);

    private static Dictionary<string, object?> Limited(TestBackend backend, long limit, int? period = null, string name = "svc")
    {
        var app = TestGateway.App(name, backend);
        app["rateLimit"] = true;
        app["limitValue"] = limit;
        if (period is not null) app["limitPeriod"] = period;
        return app;
    }

    private static string H(HttpResponseMessage response, string name) => response.Headers.GetValues(name).Single();

    [Fact]
    public async Task Limit_SequenceOfRequests_HeadersCountDownThen429()
    {
        await using var backend = await TestBackend.StartNamedAsync("ok");
        var clock = new ManualClock(Start);
        await using var gateway = await TestGateway.StartAsync([Limited(backend, 3)], time: clock);

        var seen = new List<(int Status, string Used, string Remaining, string Reset)>();
        for (var i = 0; i < 5; i++)
        {
            using var response = await gateway.Client.GetAsync("/svc/x");
            seen.Add(((int)response.StatusCode, H(response, "X-Ratelimit-Used"), H(response, "X-Ratelimit-Remaining"), H(response, "X-Ratelimit-Reset")));
            clock.Advance(TimeSpan.FromSeconds(1.5));
        }

        seen.Should().Equal(
            (200, "1", "2", "40"),
            (200, "2", "1", "39"),
            (200, "3", "0", "37"),
            (429, "3", "0", "36"),
            (429, "3", "0", "34"));
        backend.Hits.Should().Be(3);
    }

    [Fact]
    public async Task Limit_Rejected_429ProblemWithRetryAfterAndIetfHeaders()
    {
        await using var backend = await TestBackend.StartNamedAsync("ok");
        var clock = new ManualClock(Start);
        await using var gateway = await TestGateway.StartAsync([Limited(backend, 2, name: "userauth")], time: clock);

        using var first = await gateway.Client.GetAsync("/userauth/x");
        (await gateway.Client.GetAsync("/userauth/x")).Dispose();
        using var rejected = await gateway.Client.GetAsync("/userauth/x");

        H(first, "RateLimit-Policy").Should().Be("\"userauth\";q=2;w=60");
        H(first, "RateLimit").Should().Be("\"userauth\";r=1;t=40");
        rejected.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        rejected.Headers.RetryAfter!.Delta.Should().Be(TimeSpan.FromSeconds(40));
        H(rejected, "RateLimit").Should().Be("\"userauth\";r=0;t=40");
        var problem = JsonDocument.Parse(await rejected.Content.ReadAsStringAsync()).RootElement;
        problem.GetProperty("status").GetInt32().Should().Be(429);
        problem.GetProperty("type").GetString().Should().Be("urn:valet:problem:rate-limited");
        backend.Hits.Should().Be(2);
    }

    [Fact]
    public async Task Limit_WindowBoundary_NewWindowStartsAtZeroAndResetCountsToIt()
    {
        await using var backend = await TestBackend.StartNamedAsync("ok");
        var clock = new ManualClock(Start);
        await using var gateway = await TestGateway.StartAsync([Limited(backend, 1, period: 10)], time: clock);

        using var a = await gateway.Client.GetAsync("/svc/x");
        clock.Advance(TimeSpan.FromSeconds(9.9)); // 10:00:29.9, 0.1 s before the window ends
        using var b = await gateway.Client.GetAsync("/svc/x");
        clock.Advance(TimeSpan.FromSeconds(0.1)); // 10:00:30.0, a new window
        using var c = await gateway.Client.GetAsync("/svc/x");

        ((int)a.StatusCode, H(a, "X-Ratelimit-Reset")).Should().Be((200, "10"));
        ((int)b.StatusCode, H(b, "X-Ratelimit-Reset"), H(b, "Retry-After")).Should().Be((429, "1", "1"));
        ((int)c.StatusCode, H(c, "X-Ratelimit-Used"), H(c, "X-Ratelimit-Reset")).Should().Be((200, "1", "10"));
    }

    [Fact]
    public async Task Limit_500ConcurrentAgainst100_Exactly100Pass()
    {
        await using var backend = await TestBackend.StartNamedAsync("ok");
        await using var gateway = await TestGateway.StartAsync([Limited(backend, 100, period: 3600)], time: new ManualClock(Start));

        var statuses = await Task.WhenAll(Enumerable.Range(0, 500).Select(async _ =>
        {
            using var response = await gateway.Client.GetAsync("/svc/x");
            return (int)response.StatusCode;
        }));

        statuses.Count(s => s == 200).Should().Be(100);
        statuses.Count(s => s == 429).Should().Be(400);
        backend.Hits.Should().Be(100);
    }

    [Fact]
    public async Task Limit_AuthFailuresAndPreflights_NotCounted()
    {
        await using var backend = await TestBackend.StartNamedAsync("ok");
        var app = Limited(backend, 2);
        app["authorize"] = true;
        app["authKey"] = "k";
        app["cors"] = new { origins = new[] { "https://web.example" } };
        await using var gateway = await TestGateway.StartAsync([app], time: new ManualClock(Start));

        for (var i = 0; i < 5; i++) (await gateway.Client.GetAsync("/svc/x")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        for (var i = 0; i < 5; i++)
        {
            var preflight = new HttpRequestMessage(HttpMethod.Options, "/svc/x");
            preflight.Headers.Add("Origin", "https://web.example");
            preflight.Headers.Add("Access-Control-Request-Method", "GET");
            (await gateway.Client.SendAsync(preflight)).StatusCode.Should().Be(HttpStatusCode.NoContent);
        }

        using var admitted = await gateway.GetAsync("/svc/x", ("X-Valet-Auth", "k"));
        H(admitted, "X-Ratelimit-Used").Should().Be("1");
    }

    [Fact]
    public async Task Limit_ByConsumer_SeparateBudgetsAndOwnOverride()
    {
        await using var backend = await TestBackend.StartNamedAsync("ok");
        var app = Limited(backend, 2);
        app["authorize"] = true;
        app["limitBy"] = "consumer";
        app["keys"] = new object[] { new { id = "alice", key = "ka" }, new { id = "bob", key = "kb", limitValue = 5 } };
        await using var gateway = await TestGateway.StartAsync([app], time: new ManualClock(Start));

        async Task<int> Admitted(string key)
        {
            var ok = 0;
            for (var i = 0; i < 8; i++)
            {
                using var response = await gateway.GetAsync("/svc/x", ("X-Valet-Auth", key));
                if (response.StatusCode == HttpStatusCode.OK) ok++;
            }

            return ok;
        }

        (await Admitted("ka")).Should().Be(2);
        (await Admitted("kb")).Should().Be(5);
        using var bob = await gateway.GetAsync("/svc/x", ("X-Valet-Auth", "kb"));
        H(bob, "RateLimit-Policy").Should().Be("\"svc\";q=5;w=60");
    }

    [Fact]
    public async Task Limit_ByIp_EachClientAddressHasItsOwnBudget()
    {
        await using var backend = await TestBackend.StartNamedAsync("ok");
        var app = Limited(backend, 1);
        app["limitBy"] = "ip";
        await using var gateway = await TestGateway.StartAsync([app], time: new ManualClock(Start));

        using var fromOne = ClientFrom(IPAddress.Parse("127.0.0.1"), gateway.Address);
        using var fromTwo = ClientFrom(IPAddress.Parse("127.0.0.2"), gateway.Address);

        (await fromOne.GetAsync("/svc/x")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await fromOne.GetAsync("/svc/x")).StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        (await fromTwo.GetAsync("/svc/x")).StatusCode.Should().Be(HttpStatusCode.OK);
        backend.Seen.Select(s => s.Headers["X-Forwarded-For"]).Should().Equal("127.0.0.1", "127.0.0.2");
    }

    [Fact]
    public async Task Limit_ReloadWithSameLimit_KeepsCountersAndNewLimitAppliesNextRequest()
    {
        await using var backend = await TestBackend.StartNamedAsync("ok");
        await using var other = await TestBackend.StartNamedAsync("other");
        var app = Limited(backend, 3);
        await using var gateway = await TestGateway.StartAsync([app, TestGateway.App("other", other)], time: new ManualClock(Start));
        (await gateway.Client.GetAsync("/svc/x")).Dispose();
        (await gateway.Client.GetAsync("/svc/x")).Dispose();

        app["description"] = "edited, same limit";
        gateway.Rewrite(app).Changes.Single(c => c.App == "svc").Kind.Should().Be(Valet.Core.Configuration.AppChangeKind.Updated);
        using var third = await gateway.Client.GetAsync("/svc/x");
        H(third, "X-Ratelimit-Used").Should().Be("3");

        app["limitValue"] = 5;
        gateway.Rewrite(app);
        using var fourth = await gateway.Client.GetAsync("/svc/x");
        (fourth.StatusCode, H(fourth, "X-Ratelimit-Used"), H(fourth, "X-Ratelimit-Remaining")).Should().Be((HttpStatusCode.OK, "4", "1"));
    }

    [Fact]
    public async Task Limit_MockedApp_CountedLikeARealOne()
    {
        var app = new Dictionary<string, object?>
        {
            ["name"] = "mocked", ["rateLimit"] = true, ["limitValue"] = 1,
            ["mocks"] = new[] { new { path = "/*", body = "hi" } },
        };
        await using var gateway = await TestGateway.StartAsync([app], time: new ManualClock(Start));

        using var first = await gateway.Client.GetAsync("/mocked/a");
        using var second = await gateway.Client.GetAsync("/mocked/a");

        (first.StatusCode, H(first, "X-Ratelimit-Remaining")).Should().Be((HttpStatusCode.OK, "0"));
        second.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task Limit_BackendSendsOwnRateLimitHeaders_GatewayFiguresWin()
    {
        await using var backend = await TestBackend.StartAsync(c =>
        {
            c.Response.Headers["X-Ratelimit-Remaining"] = "999";
            return Task.CompletedTask;
        });
        await using var gateway = await TestGateway.StartAsync([Limited(backend, 10)], time: new ManualClock(Start));

        using var response = await gateway.Client.GetAsync("/svc/x");

        H(response, "X-Ratelimit-Remaining").Should().Be("9");
    }

    private static HttpClient ClientFrom(IPAddress local, Uri server) => new(new SocketsHttpHandler
    {
        UseProxy = false,
        ConnectCallback = async (context, token) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(local, 0));
            await socket.ConnectAsync(context.DnsEndPoint, token);
            return new NetworkStream(socket, ownsSocket: true);
        },
    })
    { BaseAddress = server };
}
