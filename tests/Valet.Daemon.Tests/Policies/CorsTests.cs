using System.Net;
using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Policies;

public sealed class CorsTests
{
    private static Dictionary<string, object?> CorsApp(TestBackend backend, object cors, bool secured = true)
    {
        var app = TestGateway.App("svc", backend);
        app["cors"] = cors;
        if (secured)
        {
            app["authorize"] = true;
            app["authKey"] = "k";
        }

        return app;
    }

    private static HttpRequestMessage Preflight(string origin, string method, string? headers = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/svc/items");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        if (headers is not null) request.Headers.Add("Access-Control-Request-Headers", headers);
        return request;
    }

    [Fact]
    public async Task Preflight_AllowedOrigin_AnsweredByValetWithoutAuthOrBackend()
    {
        await using var backend = await TestBackend.StartNamedAsync("ok");
        await using var gateway = await TestGateway.StartAsync([CorsApp(backend, new { origins = new[] { "https://web.example" }, methods = new[] { "GET", "POST" }, maxAge = 120 })]);

        using var response = await gateway.Client.SendAsync(Preflight("https://web.example", "POST", "Content-Type, X-Valet-Auth"));

        response.StatusCode.Should().Be(HttpStatusCode.NoContent);
        response.Headers.GetValues("Access-Control-Allow-Origin").Single().Should().Be("https://web.example");
        response.Headers.GetValues("Access-Control-Allow-Methods").Single().Should().Be("GET, POST");
        response.Headers.GetValues("Access-Control-Allow-Headers").Single().Should().Be("Content-Type, X-Valet-Auth");
        response.Headers.GetValues("Access-Control-Max-Age").Single().Should().Be("120");
        backend.Hits.Should().Be(0);
    }

    [Theory]
    [InlineData("https://evil.example", "GET", null)]
    [InlineData("https://web.example", "DELETE", null)]
    [InlineData("https://web.example", "GET", "X-Not-Listed")]
    public async Task Preflight_NotAllowed_403WithoutAllowHeaders(string origin, string method, string? headers)
    {
        await using var backend = await TestBackend.StartNamedAsync("ok");
        var cors = new { origins = new[] { "https://web.example" }, methods = new[] { "GET" }, headers = new[] { "Content-Type" } };
        await using var gateway = await TestGateway.StartAsync([CorsApp(backend, cors)]);

        using var response = await gateway.Client.SendAsync(Preflight(origin, method, headers));

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        response.Headers.Contains("Access-Control-Allow-Origin").Should().BeFalse();
        backend.Hits.Should().Be(0);
    }

    [Fact]
    public async Task Request_AllowedOrigin_GetsAllowOriginAndRateLimitHeadersExposed()
    {
        await using var backend = await TestBackend.StartNamedAsync("ok");
        var app = CorsApp(backend, new { origins = new[] { "*" }, exposeHeaders = new[] { "X-Total" } }, secured: false);
        app["rateLimit"] = true;
        app["limitValue"] = 10;
        await using var gateway = await TestGateway.StartAsync([app]);

        using var response = await gateway.GetAsync("/svc/x", ("Origin", "https://anyone.example"));

        response.Headers.GetValues("Access-Control-Allow-Origin").Single().Should().Be("*");
        var exposed = response.Headers.GetValues("Access-Control-Expose-Headers").Single();
        exposed.Should().Contain("X-Ratelimit-Used").And.Contain("X-Ratelimit-Remaining").And.Contain("X-Ratelimit-Reset").And.Contain("X-Total");
    }

    [Fact]
    public async Task Request_WithCredentials_OriginEchoedNotStar()
    {
        await using var backend = await TestBackend.StartNamedAsync("ok");
        await using var gateway = await TestGateway.StartAsync([CorsApp(backend, new { origins = new[] { "*" }, credentials = true }, secured: false)]);

        using var response = await gateway.GetAsync("/svc/x", ("Origin", "https://web.example"));

        response.Headers.GetValues("Access-Control-Allow-Origin").Single().Should().Be("https://web.example");
        response.Headers.GetValues("Access-Control-Allow-Credentials").Single().Should().Be("true");
        response.Headers.Vary.Should().Contain("Origin");
    }

    [Fact]
    public async Task Request_OtherOrigin_NoAllowOriginButStillServed()
    {
        await using var backend = await TestBackend.StartNamedAsync("ok");
        await using var gateway = await TestGateway.StartAsync([CorsApp(backend, new { origins = new[] { "https://web.example" } }, secured: false)]);

        using var response = await gateway.GetAsync("/svc/x", ("Origin", "https://evil.example"));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Headers.Contains("Access-Control-Allow-Origin").Should().BeFalse();
    }

    [Fact]
    public async Task Preflight_AppWithoutCors_ForwardedToBackend()
    {
        await using var backend = await TestBackend.StartNamedAsync("ok");
        await using var gateway = await TestGateway.StartAsync([TestGateway.App("svc", backend)]);

        using var response = await gateway.Client.SendAsync(Preflight("https://web.example", "GET"));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        backend.Hits.Should().Be(1);
    }
}
