using System.Net;
using Microsoft.AspNetCore.Http;
using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Forwarding;

/// <summary>
/// Headers a client sends to pass for someone else: none of them reaches an app it should not,
/// changes which budget is charged, or fakes a consumer. Covered elsewhere and not repeated here:
/// X-Forwarded-For/-Host replaced (PassThroughTests), X-Valet-* removed and X-Valet-Consumer set
/// from the key (ApiKeyAuthTests.Auth_ClientSentValetHeaders_NeverReachBackend), junk X-Request-Id
/// replaced (RoutingTests), X-Valet-Consumer forged towards an aggregate's parts (AggregateRequestTests).
/// </summary>
[Trait("Category", "Reliability")]
public sealed class SpoofingTests
{
    private static Task<TestBackend> Named(string name) => TestBackend.StartAsync(c => c.Response.WriteAsync(name));

    private static Dictionary<string, object?> Secured(string name, TestBackend backend, params string[] hosts)
    {
        var app = TestGateway.App(name, backend);
        app["authorize"] = true;
        app["keys"] = new[] { new { id = "alice", key = "alice-key" }, new { id = "bob", key = "bob-key" } };
        app["hosts"] = hosts;
        return app;
    }

    private static Dictionary<string, object?> Open(string name, TestBackend backend, params string[] hosts)
    {
        var app = TestGateway.App(name, backend);
        app["hosts"] = hosts;
        return app;
    }

    private static async Task<HttpStatusCode> SendAsync(TestGateway gateway, string host, string path, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Host = host;
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        using var response = await gateway.Client.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task ForwardedHeaders_ClientJunk_BackendSeesOnlyValetsValues()
    {
        await using var backend = await Named("open");
        await using var gateway = await TestGateway.StartAsync([TestGateway.App("open", backend)]);

        var request = new HttpRequestMessage(HttpMethod.Get, "/open/x");
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", ["10.0.0.1", "1.2.3.4, 5.6.7.8"]);
        request.Headers.TryAddWithoutValidation("X-Forwarded-Proto", "https");
        request.Headers.TryAddWithoutValidation("X-Forwarded-Host", "admin.internal");
        request.Headers.TryAddWithoutValidation("Forwarded", "for=1.2.3.4;proto=https;host=admin.internal");
        request.Headers.TryAddWithoutValidation("X-Request-Id", new string('r', 129));
        using var response = await gateway.Client.SendAsync(request);

        var seen = backend.Seen.Single().Headers;
        seen["X-Forwarded-For"].Should().Be("127.0.0.1", "one value, the client's address, not a chain the client started");
        seen["X-Forwarded-Proto"].Should().Be("http");
        seen["X-Forwarded-Host"].Should().Be($"{gateway.Address.Host}:{gateway.Address.Port}");
        seen.Should().NotContainKey("Forwarded");
        seen["X-Request-Id"].Should().MatchRegex("^[0-9a-f]{32}$", "an id of 129 characters is junk and replaced");
    }

    [Fact]
    public async Task ForwardedFor_Spoofed_DoesNotChangeThePerIpBudget()
    {
        await using var backend = await Named("open");
        var app = TestGateway.App("open", backend);
        app["rateLimit"] = true;
        app["limitValue"] = 1;
        app["limitPeriod"] = 3600;
        app["limitBy"] = "ip";
        await using var gateway = await TestGateway.StartAsync([app]);

        var first = await SendAsync(gateway, "gateway", "/open/x", ("X-Forwarded-For", "1.1.1.1"));
        var second = await SendAsync(gateway, "gateway", "/open/x", ("X-Forwarded-For", "2.2.2.2"));
        var third = await SendAsync(gateway, "gateway", "/open/x", ("Forwarded", "for=3.3.3.3"), ("X-Real-IP", "3.3.3.3"));

        first.Should().Be(HttpStatusCode.OK);
        second.Should().Be(HttpStatusCode.TooManyRequests, "the budget is the connection's address, whatever the headers say");
        third.Should().Be(HttpStatusCode.TooManyRequests);
        backend.Hits.Should().Be(1);
    }

    [Fact]
    public async Task ValetConsumer_Spoofed_DoesNotPickAnotherConsumersBudget()
    {
        await using var backend = await TestBackend.StartAsync(c => c.Response.WriteAsync(c.Request.Headers["X-Valet-Consumer"].ToString()));
        var app = Secured("api", backend);
        app["rateLimit"] = true;
        app["limitValue"] = 1;
        app["limitPeriod"] = 3600;
        app["limitBy"] = "consumer";
        await using var gateway = await TestGateway.StartAsync([app]);

        var alice = await SendAsync(gateway, "gateway", "/api/x", ("X-Valet-Auth", "alice-key"));
        var aliceAsBob = await SendAsync(gateway, "gateway", "/api/x", ("X-Valet-Auth", "alice-key"), ("X-Valet-Consumer", "bob"));
        var noKeyAsBob = await SendAsync(gateway, "gateway", "/api/x", ("X-Valet-Consumer", "bob"));
        var bob = await SendAsync(gateway, "gateway", "/api/x", ("X-Valet-Auth", "bob-key"));

        alice.Should().Be(HttpStatusCode.OK);
        aliceAsBob.Should().Be(HttpStatusCode.TooManyRequests, "alice's key charges alice's budget");
        noKeyAsBob.Should().Be(HttpStatusCode.Unauthorized, "a consumer header is no credential");
        bob.Should().Be(HttpStatusCode.OK, "bob's budget was not touched by the spoofed requests");
        backend.Seen.Select(s => s.Headers["X-Valet-Consumer"]).Should().Equal("alice", "bob");
    }

    [Theory]
    [InlineData("open.example", "/secret/x")]
    [InlineData("open.example", "/secret")]
    [InlineData("OPEN.example.", "/secret/x")]
    [InlineData("open.example:8000", "/secret/x")]
    public async Task Host_OfAnOpenApp_WithAnotherAppsPath_StaysInTheOpenApp(string host, string path)
    {
        await using var secret = await Named("secret");
        await using var open = await Named("open");
        await using var gateway = await TestGateway.StartAsync([Secured("secret", secret, "secret.example"), Open("open", open, "open.example")]);

        var status = await SendAsync(gateway, host, path, ("X-Forwarded-Host", "secret.example"));

        status.Should().Be(HttpStatusCode.OK);
        open.Seen.Single().RawTarget.Should().Be(path, "a host-routed app gets the whole path, and only its own backend sees it");
        secret.Hits.Should().Be(0);
    }

    [Theory]
    [InlineData("secret.example", "/x")]
    [InlineData("SECRET.EXAMPLE.", "/open/x")]
    [InlineData("gateway", "/secret/x")]
    public async Task Host_OrPath_OfASecuredApp_WithoutItsKey_401AndNothingForwarded(string host, string path)
    {
        await using var secret = await Named("secret");
        await using var open = await Named("open");
        await using var gateway = await TestGateway.StartAsync([Secured("secret", secret, "secret.example"), Open("open", open, "open.example")]);

        var spoofed = await SendAsync(gateway, host, path, ("X-Valet-Consumer", "alice"), ("X-Forwarded-Host", "open.example"), ("X-Valet-Auth", "open"));

        spoofed.Should().Be(HttpStatusCode.Unauthorized);
        secret.Hits.Should().Be(0);
        open.Hits.Should().Be(0);
    }

    [Theory]
    [InlineData("absolute-form naming another host", "GET http://secret.example/x HTTP/1.1\r\nHost: open.example\r\n\r\n")]
    [InlineData("a path in the Host", "GET /x HTTP/1.1\r\nHost: open.example/../secret.example\r\n\r\n")]
    [InlineData("user info in the Host", "GET /x HTTP/1.1\r\nHost: open.example@secret.example\r\n\r\n")]
    [InlineData("two Hosts", "GET /x HTTP/1.1\r\nHost: open.example\r\nHost: secret.example\r\n\r\n")]
    public async Task Host_Ambiguous_400AndNoAppReached(string what, string request)
    {
        await using var secret = await Named("secret");
        await using var open = await Named("open");
        await using var gateway = await TestGateway.StartAsync([Open("secret", secret, "secret.example"), Open("open", open, "open.example")]);
        await using var connection = await RawConnection.OpenAsync(gateway.Address);

        await connection.TrySendAsync(request);
        (await connection.ReadUntilClosedAsync(TimeSpan.FromSeconds(10))).Should().BeTrue();

        connection.FirstStatus.Should().Be(400, what);
        secret.Hits.Should().Be(0);
        open.Hits.Should().Be(0);
    }
}
