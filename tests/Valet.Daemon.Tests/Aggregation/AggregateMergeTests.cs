using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Valet.Daemon.Tests.Infrastructure;
using static Valet.Daemon.Tests.Aggregation.Aggregates;

namespace Valet.Daemon.Tests.Aggregation;

public sealed class AggregateMergeTests
{
    [Fact]
    public async Task Aggregate_PartsAnswerInReverseOrder_MembersInConfigOrder()
    {
        await using var a = await GatedBackend.StartAsync("""{"n":"a"}""");
        await using var b = await GatedBackend.StartAsync("""{"n":"b"}""");
        await using var c = await GatedBackend.StartAsync("""{"n":"c"}""");
        await using var gateway = await TestGateway.StartAsync(
        [
            App("a", a), App("b", b), App("c", c),
            Aggregate("dash", [Part("first", "a"), Part("second", "b"), Part("third", "c")], includeMeta: true),
        ]);

        var pending = gateway.Client.GetAsync("/dash/");
        await Task.WhenAll(a.Arrived.Task, b.Arrived.Task, c.Arrived.Task).Within("every part reached its backend");
        // The last part answers first, the first part last.
        c.Release.SetResult();
        await c.Answered.Task.Within("c answered");
        b.Release.SetResult();
        await b.Answered.Task.Within("b answered");
        a.Release.SetResult();
        using var response = await pending;

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        Header(response, "X-Valet-Completed").Should().Be("true");
        response.Content.Headers.ContentType!.ToString().Should().Be("application/json; charset=utf-8");
        var text = await response.Content.ReadAsStringAsync();
        text.Should().StartWith("""{"first":{"n":"a"},"second":{"n":"b"},"third":{"n":"c"},"_meta":{"first":{"status":200,"durationMs":""");
        var json = JsonDocument.Parse(text).RootElement;
        MemberNames(json).Should().Equal("first", "second", "third", "_meta");
        MemberNames(json.GetProperty("_meta")).Should().Equal("first", "second", "third");
    }

    [Fact]
    public async Task Aggregate_RepeatedRequests_SameMemberOrderEveryTime()
    {
        await using var fast = await TestBackend.StartAsync(c => c.Response.WriteAsync("fast"));
        await using var gateway = await TestGateway.StartAsync(
        [
            TestGateway.App("svc", fast),
            Aggregate("dash", [Part("z", "svc", "/z"), Part("a", "svc", "/a"), Part("m", "svc", "/m")]),
        ]);

        for (var i = 0; i < 20; i++)
        {
            var text = await gateway.Client.GetStringAsync("/dash/");
            text.Should().Be("""{"z":"fast","a":"fast","m":"fast"}""");
        }
    }

    [Fact]
    public async Task Aggregate_JsonAndOtherBodies_JsonEmbeddedOthersAsStrings()
    {
        await using var backend = await TestBackend.StartAsync(async c =>
        {
            var (type, body, status) = c.Request.Path.Value switch
            {
                "/json" => ("application/json; charset=utf-8", """{"x":[1,2],"y":null}""", 200),
                "/problem" => ("application/problem+json", """{"title":"t"}""", 200),
                "/text" => ("text/plain", "plain text", 200),
                "/html" => ("text/html", "<b>caf\u00e9 \"quoted\"</b>\n", 200),
                "/notjson" => ("application/json", "{oops", 200),
                "/untyped" => ("", "42", 200),
                _ => ("", "", 204),
            };
            c.Response.StatusCode = status;
            if (type.Length > 0) c.Response.ContentType = type;
            await c.Response.WriteAsync(body);
        });
        await using var gateway = await TestGateway.StartAsync(
        [
            TestGateway.App("svc", backend),
            new Dictionary<string, object?>
            {
                ["name"] = "mocked",
                ["mocks"] = new object[]
                {
                    new { path = "/json", body = new { from = "mock" } },
                    new { path = "/text", body = "mock text" },
                },
            },
            Aggregate("dash",
            [
                Part("json", "svc", "/json"), Part("problem", "svc", "/problem"), Part("text", "svc", "/text"),
                Part("html", "svc", "/html"), Part("notjson", "svc", "/notjson"), Part("untyped", "svc", "/untyped"),
                Part("empty", "svc", "/empty"), Part("mockjson", "mocked", "/json"), Part("mocktext", "mocked", "/text"),
            ]),
        ]);

        using var response = await gateway.Client.GetAsync("/dash/");
        var json = await JsonAsync(response);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        json.GetProperty("json").GetRawText().Should().Be("""{"x":[1,2],"y":null}""");
        json.GetProperty("problem").GetProperty("title").GetString().Should().Be("t");
        json.GetProperty("text").GetString().Should().Be("plain text");
        json.GetProperty("html").GetString().Should().Be("<b>caf\u00e9 \"quoted\"</b>\n");
        json.GetProperty("notjson").GetString().Should().Be("{oops");
        json.GetProperty("untyped").GetString().Should().Be("42");
        json.GetProperty("empty").GetString().Should().Be("");
        json.GetProperty("mockjson").GetProperty("from").GetString().Should().Be("mock");
        json.GetProperty("mocktext").GetString().Should().Be("mock text");
        Header(response, "X-Valet-Completed").Should().Be("true");
    }

    [Fact]
    public async Task Aggregate_IncludeMeta_StatusDurationAndErrorOfEachPart()
    {
        await using var backend = await TestBackend.StartAsync(c =>
        {
            c.Response.StatusCode = c.Request.Path == "/missing" ? 404 : 200;
            return c.Response.WriteAsync("x");
        });
        await using var gateway = await TestGateway.StartAsync(
        [
            TestGateway.App("svc", backend),
            Aggregate("dash", [Part("ok", "svc", "/ok"), Part("missing", "svc", "/missing", required: false)], includeMeta: true),
        ]);

        using var response = await gateway.Client.GetAsync("/dash/");
        var meta = (await JsonAsync(response)).GetProperty("_meta");

        meta.GetProperty("ok").GetProperty("status").GetInt32().Should().Be(200);
        meta.GetProperty("ok").GetProperty("error").ValueKind.Should().Be(JsonValueKind.Null);
        meta.GetProperty("ok").GetProperty("durationMs").GetDouble().Should().BeGreaterThanOrEqualTo(0);
        meta.GetProperty("missing").GetProperty("status").GetInt32().Should().Be(404);
        meta.GetProperty("missing").GetProperty("error").GetString().Should().Be("answered 404");
    }

    [Fact]
    public async Task Aggregate_WithoutIncludeMeta_NoMetaMember()
    {
        await using var backend = await TestBackend.StartNamedAsync("x");
        await using var gateway = await TestGateway.StartAsync([TestGateway.App("svc", backend), Aggregate("dash", [Part("a", "svc")])]);

        (await gateway.Client.GetStringAsync("/dash/")).Should().Be("""{"a":"x"}""");
    }

    [Fact]
    public async Task Aggregate_ClientPathAndQuery_PassedToParts()
    {
        await using var backend = await TestBackend.StartNamedAsync("x");
        await using var gateway = await TestGateway.StartAsync(
        [
            TestGateway.App("svc", backend),
            Aggregate("dash", [Part("user", "svc", "/users/*"), Part("fixed", "svc", "/stats")]),
        ]);

        using var response = await gateway.Client.GetAsync("/dash/42/orders?x=1&y=a%20b");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        backend.Seen.Select(s => s.RawTarget).Should().BeEquivalentTo("/users/42/orders?x=1&y=a%20b", "/stats?x=1&y=a%20b");
    }

    [Fact]
    public async Task Aggregate_HeadRequest_HeadersWithoutBody()
    {
        await using var backend = await TestBackend.StartNamedAsync("x");
        await using var gateway = await TestGateway.StartAsync([TestGateway.App("svc", backend), Aggregate("dash", [Part("a", "svc")])]);

        using var response = await gateway.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/dash/"));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        Header(response, "X-Valet-Completed").Should().Be("true");
        (await response.Content.ReadAsByteArrayAsync()).Should().BeEmpty();
        backend.Seen.Single().Method.Should().Be("HEAD");
    }
}
