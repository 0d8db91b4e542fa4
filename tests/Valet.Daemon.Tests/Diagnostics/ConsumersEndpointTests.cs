using System.Net;
using System.Text.Json;
using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Diagnostics;

/// <summary>Issue 9, requirement 4: <c>GET /apis/{name}/consumers</c>, per consumer, current window and totals since start.</summary>
public sealed class ConsumersEndpointTests
{
    // 20 s into a 60 s window aligned on the Unix epoch.
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 10, 0, 20, TimeSpan.Zero);

    private static Dictionary<string, object?> Svc(TestBackend backend, long limit = 2)
    {
        var app = TestGateway.App("svc", backend);
        app["authorize"] = true;
        app["rateLimit"] = true;
        app["limitValue"] = limit;
        app["limitBy"] = "consumer";
        app["keys"] = new object[]
        {
            new { id = "alice", key = "alice-key-7f3a9" },
            new { id = "bob", key = "bob-key-91c2e", limitValue = 5 },
            new { id = "carol", key = "carol-key-0d8e4" },
        };
        return app;
    }

    private static async Task<JsonElement> ConsumersAsync(TestGateway gateway, string app = "svc")
    {
        using var response = await gateway.Admin.GetAsync($"/apis/{app}/consumers");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    private static JsonElement Consumer(JsonElement body, string id) =>
        body.GetProperty("consumers").EnumerateArray().Single(c => c.GetProperty("id").GetString() == id);

    private static (long, long, long, long) Figures(JsonElement figures) =>
        (figures.GetProperty("requests").GetInt64(), figures.GetProperty("rejected").GetInt64(),
            figures.GetProperty("bytesIn").GetInt64(), figures.GetProperty("bytesOut").GetInt64());

    [Fact]
    public async Task Consumers_WindowAndTotals_SurviveReloads_NewWindowStartsAtZero()
    {
        await using var backend = await TestBackend.StartNamedAsync("0123456789");
        var clock = new ManualClock(Start);
        await using var gateway = await TestGateway.StartAsync([Svc(backend)], time: clock);
        for (var i = 0; i < 3; i++) (await gateway.GetAsync("/svc/a", ("X-Valet-Auth", "alice-key-7f3a9"))).Dispose();
        using (var post = new HttpRequestMessage(HttpMethod.Post, "/svc/a") { Content = new StringContent("12345") })
        {
            post.Headers.Add("X-Valet-Auth", "bob-key-91c2e");
            (await gateway.Client.SendAsync(post)).Dispose();
        }

        (await gateway.GetAsync("/svc/a")).Dispose();

        var body = await ConsumersAsync(gateway);

        body.GetProperty("app").GetString().Should().Be("svc");
        var window = body.GetProperty("window");
        (window.GetProperty("seconds").GetInt32(), window.GetProperty("resetSeconds").GetInt64(), window.GetProperty("source").GetString())
            .Should().Be((60, 40L, "rateLimit"));
        body.GetProperty("rateLimit").GetProperty("limitBy").GetString().Should().Be("consumer");
        body.GetProperty("consumers").EnumerateArray().Select(c => c.GetProperty("id").GetString()).Should().Equal("alice", "bob", "carol");
        var alice = Consumer(body, "alice");
        alice.GetProperty("configured").GetBoolean().Should().BeTrue();
        var aliceOut = Figures(alice.GetProperty("total")).Item4;
        aliceOut.Should().BeGreaterThan(20, "two 10-byte answers and a 429 problem");
        Figures(alice.GetProperty("window")).Should().Be((3L, 1L, 0L, aliceOut));
        Figures(alice.GetProperty("total")).Should().Be((3L, 1L, 0L, aliceOut));
        (alice.GetProperty("limit").GetProperty("limitValue").GetInt64(), alice.GetProperty("limit").GetProperty("used").GetInt64(),
            alice.GetProperty("limit").GetProperty("remaining").GetInt64()).Should().Be((2L, 2L, 0L));
        alice.GetProperty("lastSeen").GetDateTimeOffset().Should().Be(Start);
        var bob = Consumer(body, "bob");
        Figures(bob.GetProperty("total")).Should().Be((1L, 0L, 5L, 10L));
        bob.GetProperty("limit").GetProperty("limitValue").GetInt64().Should().Be(5);
        var carol = Consumer(body, "carol");
        Figures(carol.GetProperty("total")).Should().Be((0L, 0L, 0L, 0L));
        carol.GetProperty("lastSeen").ValueKind.Should().Be(JsonValueKind.Null);
        Figures(body.GetProperty("anonymous").GetProperty("total")).Item1.Should().Be(1, "the request without a key");
        body.GetRawText().Should().NotContain("alice-key-7f3a9").And.NotContain("bob-key-91c2e");

        // A reload (a changed limit) keeps the figures; the next window starts from zero, the totals go on.
        gateway.Rewrite(Svc(backend, limit: 3)).Ok.Should().BeTrue();
        clock.Advance(TimeSpan.FromSeconds(45));
        (await gateway.GetAsync("/svc/a", ("X-Valet-Auth", "alice-key-7f3a9"))).Dispose();

        var later = await ConsumersAsync(gateway);

        later.GetProperty("rateLimit").GetProperty("limitValue").GetInt64().Should().Be(3);
        var aliceLater = Consumer(later, "alice");
        Figures(aliceLater.GetProperty("window")).Should().Be((1L, 0L, 0L, 10L));
        Figures(aliceLater.GetProperty("total")).Should().Be((4L, 1L, 0L, aliceOut + 10));
        Figures(Consumer(later, "bob").GetProperty("window")).Should().Be((0L, 0L, 0L, 0L));
        Figures(Consumer(later, "bob").GetProperty("total")).Should().Be((1L, 0L, 5L, 10L));
    }

    [Fact]
    public async Task Consumers_AppWithoutLimit_SixtySecondWindow_BasicUsers()
    {
        await using var backend = await TestBackend.StartNamedAsync("ok");
        var app = TestGateway.App("staff", backend);
        app["auth"] = new { type = "basic", users = new[] { new { name = "dora", password = Valet.Core.Auth.PasswordHash.Create("explorer-9", Valet.Core.Auth.PasswordHash.MinIterations) } } };
        await using var gateway = await TestGateway.StartAsync([app], time: new ManualClock(Start));
        var credentials = Convert.ToBase64String("dora:explorer-9"u8.ToArray());
        (await gateway.GetAsync("/staff/x", ("Authorization", "Basic " + credentials))).Dispose();

        var body = await ConsumersAsync(gateway, "staff");

        body.GetProperty("rateLimit").ValueKind.Should().Be(JsonValueKind.Null);
        (body.GetProperty("window").GetProperty("seconds").GetInt32(), body.GetProperty("window").GetProperty("source").GetString()).Should().Be((60, "default"));
        var dora = Consumer(body, "dora");
        Figures(dora.GetProperty("window")).Should().Be((1L, 0L, 0L, 2L));
        dora.TryGetProperty("limit", out _).Should().BeFalse();
    }

    [Fact]
    public async Task Consumers_UnknownApp404_BadName400_BehindToken()
    {
        await using var gateway = await TestGateway.StartAsync([TestGateway.MockApp("hello")], adminToken: "admin-token-31");
        using var anonymous = new HttpClient { BaseAddress = gateway.AdminAddress };

        using var unknown = await gateway.Admin.GetAsync("/apis/nope/consumers");
        using var bad = await gateway.Admin.GetAsync("/apis/Bad%20Name/consumers");
        using var post = await gateway.Admin.PostAsync("/apis/hello/consumers", null);
        using var refused = await anonymous.GetAsync("/apis/hello/consumers");
        using var ok = await gateway.Admin.GetAsync("/apis/hello/consumers");

        unknown.StatusCode.Should().Be(HttpStatusCode.NotFound);
        bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        post.StatusCode.Should().Be(HttpStatusCode.MethodNotAllowed);
        refused.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        ok.StatusCode.Should().Be(HttpStatusCode.OK);
        var body = JsonDocument.Parse(await ok.Content.ReadAsStringAsync()).RootElement;
        body.GetProperty("consumers").GetArrayLength().Should().Be(0);
    }
}
