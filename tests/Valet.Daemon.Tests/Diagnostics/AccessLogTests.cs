using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Valet.Core.Diagnostics.AccessLog;
using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Diagnostics;

/// <summary>Issue 9, requirement 3: one access log line per request, JSON or CLF, never a credential.</summary>
public sealed partial class AccessLogTests
{
    private const string Key = "s3cr3t-api-key-5b1d";

    private static Dictionary<string, object?> Secured(TestBackend backend)
    {
        var app = TestGateway.App("svc", backend);
        app["authorize"] = true;
        app["keys"] = new object[] { new { id = "alice", key = Key } };
        return app;
    }

    [Fact]
    public async Task Json_OneLinePerRequest_WithEveryField()
    {
        await using var backend = await TestBackend.StartNamedAsync("0123456789");
        var log = new LineCapture();
        await using var gateway = await TestGateway.StartAsync([Secured(backend), TestGateway.MockApp("hello")], accessLogOutput: log);

        using var post = new HttpRequestMessage(HttpMethod.Post, "/svc/items/7?page=2") { Content = new StringContent("hello") };
        post.Headers.Add("X-Valet-Auth", Key);
        post.Headers.Add("X-Request-Id", "req-42");
        post.Headers.Add("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        using (var response = await gateway.Client.SendAsync(post)) response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await gateway.GetAsync("/hello/")).Dispose();
        (await gateway.GetAsync("/nope/")).Dispose();

        var lines = await log.WaitForLinesAsync(3);

        lines.Should().HaveCount(3);
        var first = JsonDocument.Parse(lines[0]).RootElement;
        first.EnumerateObject().Select(p => p.Name).Should().Equal(
            "time", "requestId", "traceId", "remote", "app", "consumer", "method", "path", "protocol", "status", "durationMs", "upstream", "bytesIn", "bytesOut");
        DateTimeOffset.Parse(first.GetProperty("time").GetString()!).Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1));
        first.GetProperty("time").GetString().Should().MatchRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$");
        first.GetProperty("requestId").GetString().Should().Be("req-42");
        first.GetProperty("traceId").GetString().Should().Be("0af7651916cd43dd8448eb211c80319c");
        first.GetProperty("remote").GetString().Should().Be("127.0.0.1");
        first.GetProperty("app").GetString().Should().Be("svc");
        first.GetProperty("consumer").GetString().Should().Be("alice");
        first.GetProperty("method").GetString().Should().Be("POST");
        first.GetProperty("path").GetString().Should().Be("/svc/items/7", "the query string is never logged");
        first.GetProperty("protocol").GetString().Should().Be("HTTP/1.1");
        first.GetProperty("status").GetInt32().Should().Be(200);
        first.GetProperty("durationMs").GetDouble().Should().BeGreaterThan(0);
        first.GetProperty("upstream").GetString().Should().Be($"http://127.0.0.1:{backend.Port}");
        first.GetProperty("bytesIn").GetInt64().Should().Be(5);
        first.GetProperty("bytesOut").GetInt64().Should().Be(10);

        var mock = JsonDocument.Parse(lines[1]).RootElement;
        (mock.GetProperty("app").GetString(), mock.GetProperty("status").GetInt32(), mock.GetProperty("bytesOut").GetInt64()).Should().Be(("hello", 200, 2L));
        mock.GetProperty("consumer").ValueKind.Should().Be(JsonValueKind.Null);
        mock.GetProperty("upstream").ValueKind.Should().Be(JsonValueKind.Null);
        mock.GetProperty("traceId").GetString().Should().MatchRegex("^[0-9a-f]{32}$").And.NotBe(new string('0', 32));
        var unknown = JsonDocument.Parse(lines[2]).RootElement;
        (unknown.GetProperty("app").ValueKind, unknown.GetProperty("status").GetInt32()).Should().Be((JsonValueKind.Null, 404));
    }

    [Fact]
    public async Task NeverAKeyOrAnAuthorizationHeader()
    {
        await using var backend = await TestBackend.StartNamedAsync("ok");
        var basic = TestGateway.App("users", backend);
        basic["auth"] = new { type = "basic", users = new[] { new { name = "carol", password = Valet.Core.Auth.PasswordHash.Create("pa55-w0rd-e2", Valet.Core.Auth.PasswordHash.MinIterations) } } };
        var log = new LineCapture();
        foreach (var format in new[] { AccessLogFormat.Json, AccessLogFormat.Clf })
        {
            await using var gateway = await TestGateway.StartAsync([Secured(backend), basic], accessLog: format, accessLogOutput: log);
            (await gateway.GetAsync("/svc/x?api_key=" + Key + "&token=query-token-77", ("X-Valet-Auth", Key), ("Authorization", "Bearer bearer-token-99"))).Dispose();
            (await gateway.GetAsync("/svc/x", ("X-Valet-Auth", "wrong-" + Key))).Dispose();
            var credentials = Convert.ToBase64String("carol:pa55-w0rd-e2"u8.ToArray());
            (await gateway.GetAsync("/users/x", ("Authorization", "Basic " + credentials))).Dispose();
            await log.WaitForLinesAsync(format == AccessLogFormat.Json ? 3 : 6);
            var text = log.Text;
            text.Should().NotContain(Key).And.NotContain("bearer-token-99").And.NotContain("query-token-77")
                .And.NotContain(credentials).And.NotContain("pa55-w0rd-e2").And.NotContainEquivalentOf("authorization");
            text.Should().Contain("alice").And.Contain("carol");
        }
    }

    [Fact]
    public async Task Clf_CommonLogFormatThenValetFields()
    {
        await using var backend = await TestBackend.StartNamedAsync("0123456789");
        var log = new LineCapture();
        await using var gateway = await TestGateway.StartAsync([Secured(backend)], accessLog: AccessLogFormat.Clf, accessLogOutput: log);

        (await gateway.GetAsync("/svc/a%22b?q=1", ("X-Valet-Auth", Key), ("X-Request-Id", "req-7"))).Dispose();
        (await gateway.GetAsync("/svc/x")).Dispose();

        var lines = await log.WaitForLinesAsync(2);

        var match = ClfLine().Match(lines[0]);
        match.Success.Should().BeTrue(lines[0]);
        match.Groups["remote"].Value.Should().Be("127.0.0.1");
        match.Groups["user"].Value.Should().Be("alice");
        DateTimeOffset.ParseExact(match.Groups["time"].Value, "dd/MMM/yyyy:HH:mm:ss zzz", System.Globalization.CultureInfo.InvariantCulture)
            .Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1));
        match.Groups["request"].Value.Should().Be("GET /svc/a%22b HTTP/1.1");
        match.Groups["status"].Value.Should().Be("200");
        match.Groups["bytes"].Value.Should().Be("10");
        match.Groups["rest"].Value.Should().MatchRegex(
            $@"^app=svc request_id=req-7 trace_id=[0-9a-f]{{32}} duration_ms=[0-9.]+ upstream=http://127\.0\.0\.1:{backend.Port} bytes_in=0$");
        var refused = ClfLine().Match(lines[1]);
        refused.Success.Should().BeTrue(lines[1]);
        (refused.Groups["user"].Value, refused.Groups["status"].Value).Should().Be(("-", "401"));
        refused.Groups["rest"].Value.Should().Contain("upstream=- ");
    }

    [Fact]
    public async Task Off_NothingWritten()
    {
        var log = new LineCapture();
        await using var gateway = await TestGateway.StartAsync([TestGateway.MockApp("hello")], accessLog: AccessLogFormat.Off, accessLogOutput: log);

        using var response = await gateway.GetAsync("/hello/");
        var metrics = await gateway.Admin.GetStringAsync("/metrics");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        metrics.Should().Contain("valet_requests_total{app=\"hello\"", "metrics stay on without the access log");
        log.Text.Should().BeEmpty();
    }

    [GeneratedRegex("""^(?<remote>\S+) - (?<user>\S+) \[(?<time>[^\]]+)\] "(?<request>[^"]*)" (?<status>\d{3}) (?<bytes>\d+|-) (?<rest>.*)$""")]
    private static partial Regex ClfLine();
}
