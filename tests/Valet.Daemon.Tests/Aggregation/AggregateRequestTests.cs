using System.Net;
using System.Text;
using System.Text.Json;
using Valet.Core.Aggregation;
using Valet.Daemon.Tests.Infrastructure;
using static Valet.Daemon.Tests.Aggregation.Aggregates;

namespace Valet.Daemon.Tests.Aggregation;

public sealed class AggregateRequestTests
{
    [Fact]
    public async Task Post_BodySentToEveryPartWhoseMethodAllowsOne()
    {
        await using var create = await TestBackend.StartNamedAsync("created");
        await using var read = await TestBackend.StartNamedAsync("read");
        await using var same = await TestBackend.StartNamedAsync("same");
        await using var gateway = await TestGateway.StartAsync(
        [
            TestGateway.App("create", create), TestGateway.App("read", read), TestGateway.App("same", same),
            Aggregate("dash", [Part("create", "create", "/items", method: "PUT"), Part("read", "read", "/items", method: "GET"), Part("same", "same", "/items")]),
        ]);

        using var response = await gateway.Client.PostAsync("/dash/", new StringContent("""{"name":"x"}""", Encoding.UTF8, "application/json"));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Be("""{"create":"created","read":"read","same":"same"}""");
        foreach (var (backend, method) in new[] { (create, "PUT"), (same, "POST") })
        {
            var seen = backend.Seen.Single();
            seen.Method.Should().Be(method);
            Encoding.UTF8.GetString(seen.Body).Should().Be("""{"name":"x"}""");
            seen.Headers["Content-Type"].Should().Be("application/json; charset=utf-8");
            seen.Headers["Content-Length"].Should().Be("12");
        }

        var get = read.Seen.Single();
        get.Method.Should().Be("GET");
        get.Body.Should().BeEmpty();
        get.Headers.Should().NotContainKey("Content-Type");
    }

    [Fact]
    public async Task Post_ChunkedBody_SentWholeToEachPart()
    {
        await using var a = await TestBackend.StartNamedAsync("a");
        await using var b = await TestBackend.StartNamedAsync("b");
        await using var gateway = await TestGateway.StartAsync(
            [TestGateway.App("a", a), TestGateway.App("b", b), Aggregate("dash", [Part("a", "a"), Part("b", "b")])]);
        var payload = Encoding.UTF8.GetBytes(new string('z', 100_000));
        var content = new StreamContent(new MemoryStream(payload));
        content.Headers.ContentType = new("application/octet-stream");

        using var request = new HttpRequestMessage(HttpMethod.Post, "/dash/") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using var response = await gateway.Client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        a.Seen.Single().Body.Should().Equal(payload);
        b.Seen.Single().Body.Should().Equal(payload);
    }

    [Fact]
    public async Task Post_BodyOverMaxBodyBytes_413AndNoPartCalled()
    {
        await using var backend = await TestBackend.StartNamedAsync("x");
        var aggregate = Aggregate("dash", [Part("a", "svc")]);
        aggregate["maxBodyBytes"] = 10;
        await using var gateway = await TestGateway.StartAsync([TestGateway.App("svc", backend), aggregate]);

        using var response = await gateway.Client.PostAsync("/dash/", new StringContent("01234567890"));

        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        backend.Hits.Should().Be(0);
    }

    [Fact]
    public async Task Post_ChunkedBodyOverTheDefaultBound_413AndNoPartCalled()
    {
        await using var backend = await TestBackend.StartNamedAsync("x");
        await using var gateway = await TestGateway.StartAsync([TestGateway.App("svc", backend), Aggregate("dash", [Part("a", "svc")])]);
        var content = new StreamContent(new MemoryStream(new byte[Valet.Core.Configuration.AggregateConfig.DefaultMaxBodyBytes + 1]));

        using var request = new HttpRequestMessage(HttpMethod.Post, "/dash/") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using var response = await gateway.Client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        (await response.Content.ReadAsStringAsync()).Should().Contain("the most aggregate 'dash' holds to send to its parts");
        backend.Hits.Should().Be(0);
    }

    [Fact]
    public async Task Post_BodyOverThePartAppsMaxBodyBytes_ThatPartFails413()
    {
        await using var backend = await TestBackend.StartNamedAsync("x");
        var small = TestGateway.App("small", backend);
        small["maxBodyBytes"] = 4;
        await using var gateway = await TestGateway.StartAsync([small, Aggregate("dash", [Part("small", "small", required: false)], includeMeta: true)]);

        using var response = await gateway.Client.PostAsync("/dash/", new StringContent("12345"));
        var json = await JsonAsync(response);

        json.GetProperty("small").ValueKind.Should().Be(JsonValueKind.Null);
        json.GetProperty("_meta").GetProperty("small").GetProperty("status").GetInt32().Should().Be(413);
        backend.Hits.Should().Be(0);
    }

    [Fact]
    public async Task Headers_DefaultAllowList_OnlyThoseAndValetsOwnReachTheParts()
    {
        await using var backend = await TestBackend.StartNamedAsync("x");
        var aggregate = Aggregate("dash", [Part("a", "svc")]);
        aggregate["authorize"] = true;
        aggregate["keys"] = new[] { new { id = "mobile", key = "agg-key" } };
        await using var gateway = await TestGateway.StartAsync([TestGateway.App("svc", backend), aggregate]);

        using var response = await gateway.GetAsync("/dash/",
            ("X-Valet-Auth", "agg-key"), ("Accept", "application/json"), ("Accept-Language", "fr"), ("Authorization", "Bearer t"),
            ("X-Request-Id", "req-42"), ("Cookie", "session=1"), ("X-Custom", "c"), ("User-Agent", "test"), ("X-Valet-Consumer", "forged"));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var headers = backend.Seen.Single().Headers;
        headers["Accept"].Should().Be("application/json");
        headers["Accept-Language"].Should().Be("fr");
        headers["Authorization"].Should().Be("Bearer t");
        headers["X-Request-Id"].Should().Be("req-42");
        headers["X-Valet-Consumer"].Should().Be("mobile");
        headers["X-Forwarded-For"].Should().Be("127.0.0.1");
        headers["X-Forwarded-Proto"].Should().Be("http");
        headers.Keys.Should().NotContain(["Cookie", "X-Custom", "User-Agent", "X-Valet-Auth"]);
    }

    [Fact]
    public async Task Headers_CustomAllowList_ReplacesTheDefault()
    {
        await using var backend = await TestBackend.StartNamedAsync("x");
        var aggregate = Aggregate("dash", [Part("a", "svc")]);
        aggregate["forwardHeaders"] = new[] { "X-Tenant" };
        await using var gateway = await TestGateway.StartAsync([TestGateway.App("svc", backend), aggregate]);

        using var response = await gateway.GetAsync("/dash/", ("X-Tenant", "t1"), ("Accept", "text/plain"), ("Authorization", "Bearer t"));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var headers = backend.Seen.Single().Headers;
        headers["X-Tenant"].Should().Be("t1");
        headers.Keys.Should().NotContain(["Accept", "Authorization"]);
        headers["X-Request-Id"].Should().Be(Header(response, "X-Request-Id"));
    }

    [Fact]
    public async Task FanOut_MorePartsThanSlots_ExtraPartsWaitForASlot()
    {
        await using var a = await GatedBackend.StartAsync("\"a\"");
        await using var b = await GatedBackend.StartAsync("\"b\"");
        await using var c = await GatedBackend.StartAsync("\"c\"");
        await using var gateway = await TestGateway.StartAsync(
            [App("a", a), App("b", b), App("c", c), Aggregate("dash", [Part("a", "a"), Part("b", "b"), Part("c", "c")])],
            maxAggregatePartsInFlight: 2);
        var fanOut = gateway.Services.GetService(typeof(AggregateResponder)) as AggregateResponder;

        var pending = gateway.Client.GetAsync("/dash/");
        await Task.WhenAll(a.Arrived.Task, b.Arrived.Task).Within("two parts reached their backends");
        await Eventually.WaitUntil(() => fanOut!.PartsWaiting == 1, "the third part waits for a slot");

        fanOut!.PartsInFlight.Should().Be(2);
        c.Arrived.Task.IsCompleted.Should().BeFalse();
        a.Release.SetResult();
        await c.Arrived.Task.Within("the third part got the freed slot");
        b.Release.SetResult();
        c.Release.SetResult();
        using var response = await pending;
        (await response.Content.ReadAsStringAsync()).Should().Be("""{"a":"a","b":"b","c":"c"}""");
        await Eventually.WaitUntil(() => fanOut.PartsInFlight == 0, "every slot is free again");
    }
}
