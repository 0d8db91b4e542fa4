using System.Net;
using Microsoft.AspNetCore.Http;
using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Routing;

public sealed class HostRoutingTests
{
    private static Dictionary<string, object?> HostApp(string name, TestBackend backend, params string[] hosts)
    {
        var app = TestGateway.App(name, backend);
        app["hosts"] = hosts;
        return app;
    }

    private static Task<TestBackend> Named(string name) =>
        TestBackend.StartAsync(c => c.Response.WriteAsync(name));

    private static async Task<(HttpStatusCode Status, string Body)> Get(TestGateway gateway, string host, string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Host = host;
        using var response = await gateway.Client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Host_ExactName_WholePathAndQueryGoToApp()
    {
        await using var api = await Named("api");
        await using var gateway = await TestGateway.StartAsync([HostApp("api", api, "api.example.com")]);

        var answer = await Get(gateway, "API.example.com", "/users/a%20b?x=1");
        var root = await Get(gateway, "api.example.com", "/");

        answer.Should().Be((HttpStatusCode.OK, "api"));
        root.Status.Should().Be(HttpStatusCode.OK);
        api.Seen.Select(r => r.RawTarget).Should().Equal("/users/a%20b?x=1", "/");
    }

    [Fact]
    public async Task Host_MatchWinsOverPathSegment()
    {
        await using var api = await Named("api");
        await using var other = await Named("other");
        await using var gateway = await TestGateway.StartAsync([HostApp("api", api, "api.example.com"), TestGateway.App("other", other)]);

        var answer = await Get(gateway, "api.example.com", "/other/x");

        answer.Should().Be((HttpStatusCode.OK, "api"));
        api.Seen.Single().RawTarget.Should().Be("/other/x");
        other.Hits.Should().Be(0);
    }

    [Fact]
    public async Task Host_Unknown_FallsBackToPathRouting()
    {
        await using var api = await Named("api");
        await using var other = await Named("other");
        await using var gateway = await TestGateway.StartAsync([HostApp("api", api, "api.example.com"), TestGateway.App("other", other)]);

        var byPath = await Get(gateway, "unknown.example.com", "/other/x");
        var hostAppByPath = await Get(gateway, "127.0.0.1", "/api/y");

        byPath.Should().Be((HttpStatusCode.OK, "other"));
        hostAppByPath.Should().Be((HttpStatusCode.OK, "api"), "a host-routed app keeps its path segment too");
        other.Seen.Single().RawTarget.Should().Be("/x");
        api.Seen.Single().RawTarget.Should().Be("/y");
    }

    [Fact]
    public async Task Host_Wildcard_MatchesOneLabel_ExactNameWins()
    {
        await using var fn = await Named("fn");
        await using var special = await Named("special");
        await using var gateway = await TestGateway.StartAsync(
            [HostApp("fn", fn, "*.fn.example.com"), HostApp("special", special, "hot.fn.example.com")]);

        var one = await Get(gateway, "cold.fn.example.com", "/a");
        var exact = await Get(gateway, "hot.fn.example.com", "/a");
        var bare = await Get(gateway, "fn.example.com", "/a");
        var deeper = await Get(gateway, "x.cold.fn.example.com", "/a");

        one.Should().Be((HttpStatusCode.OK, "fn"));
        exact.Should().Be((HttpStatusCode.OK, "special"));
        bare.Status.Should().Be(HttpStatusCode.NotFound, "the wildcard needs one more label, and /a names no app");
        deeper.Status.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Host_EscapingPath_400()
    {
        await using var api = await Named("api");
        await using var gateway = await TestGateway.StartAsync([HostApp("api", api, "api.example.com")]);

        var answer = RawHttp.Status(await RawHttp.SendAsync(gateway.Address, "GET /a/%2e%2e/b HTTP/1.1\r\nHost: api.example.com\r\nConnection: close\r\n\r\n"));

        answer.Should().Be(400);
        api.Hits.Should().Be(0);
    }
}
