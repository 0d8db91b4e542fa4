using System.Net;
using Microsoft.AspNetCore.Http;
using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Routing;

public sealed class RouteTests
{
    private static Task<TestBackend> Named(string name) => TestBackend.StartAsync(c => c.Response.WriteAsync(name));

    private static object Ep(TestBackend b, string path = "") => new { host = "127.0.0.1", port = b.Port, path };

    private static async Task<(HttpStatusCode, string)> Send(TestGateway gateway, HttpMethod method, string path)
    {
        using var response = await gateway.Client.SendAsync(new HttpRequestMessage(method, path));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Routes_LongestPrefixWins_ThenFallbackToAppEndpoints()
    {
        await using var main = await Named("main");
        await using var users = await Named("users");
        await using var admins = await Named("admins");
        var app = TestGateway.App("api", main);
        app["routes"] = new object[]
        {
            new { id = "users", path = "/users", endpoints = new[] { Ep(users, "/svc") } },
            new { id = "admins", path = "/users/admins", endpoints = new[] { Ep(admins) } },
        };
        await using var gateway = await TestGateway.StartAsync([app]);

        (await Send(gateway, HttpMethod.Get, "/api/users/42?x=1")).Should().Be((HttpStatusCode.OK, "users"));
        (await Send(gateway, HttpMethod.Get, "/api/users")).Should().Be((HttpStatusCode.OK, "users"));
        (await Send(gateway, HttpMethod.Get, "/api/users/admins/7")).Should().Be((HttpStatusCode.OK, "admins"));
        (await Send(gateway, HttpMethod.Get, "/api/usersx")).Should().Be((HttpStatusCode.OK, "main"), "prefixes match whole segments");
        (await Send(gateway, HttpMethod.Get, "/api/other")).Should().Be((HttpStatusCode.OK, "main"));

        users.Seen.Select(r => r.RawTarget).Should().Equal("/svc/42?x=1", "/svc");
        admins.Seen.Single().RawTarget.Should().Be("/7");
        main.Seen.Select(r => r.RawTarget).Should().Equal("/usersx", "/other");
    }

    [Fact]
    public async Task Routes_MethodDispatch_SamePathDifferentTargets()
    {
        await using var reader = await Named("reader");
        await using var writer = await Named("writer");
        await using var any = await Named("any");
        var app = new Dictionary<string, object?>
        {
            ["name"] = "fn",
            ["routes"] = new object[]
            {
                new { id = "any", path = "/items", endpoints = new[] { Ep(any) } },
                new { id = "read", path = "/items", methods = new[] { "GET", "HEAD" }, target = $"http://127.0.0.1:{reader.Port}/get-items" },
                new { id = "write", path = "/items", methods = new[] { "post", "PUT" }, target = $"http://127.0.0.1:{writer.Port}/put-items" },
            },
        };
        await using var gateway = await TestGateway.StartAsync([app]);

        (await Send(gateway, HttpMethod.Get, "/fn/items")).Should().Be((HttpStatusCode.OK, "reader"));
        (await Send(gateway, HttpMethod.Post, "/fn/items/9")).Should().Be((HttpStatusCode.OK, "writer"));
        (await Send(gateway, HttpMethod.Delete, "/fn/items/9")).Should().Be((HttpStatusCode.OK, "any"), "a route for any method catches the rest");
        (await Send(gateway, HttpMethod.Get, "/fn/nothing")).Item1.Should().Be(HttpStatusCode.NotFound, "the app has no endpoints of its own");

        reader.Seen.Single().RawTarget.Should().Be("/get-items");
        writer.Seen.Single().RawTarget.Should().Be("/put-items/9");
        any.Seen.Single().RawTarget.Should().Be("/9");
    }

    [Fact]
    public async Task Routes_MethodNotInRoute_FallsBackToAppEndpoints()
    {
        await using var main = await Named("main");
        await using var reader = await Named("reader");
        var app = TestGateway.App("api", main);
        app["routes"] = new object[] { new { id = "read", path = "/items", methods = new[] { "GET" }, endpoints = new[] { Ep(reader) } } };
        await using var gateway = await TestGateway.StartAsync([app]);

        (await Send(gateway, HttpMethod.Post, "/api/items")).Should().Be((HttpStatusCode.OK, "main"));
    }

    [Fact]
    public async Task Routes_WithHostRouting_MatchWholePath()
    {
        await using var fn = await Named("fn");
        var app = new Dictionary<string, object?>
        {
            ["name"] = "site",
            ["hosts"] = new[] { "api.example.com" },
            ["routes"] = new object[] { new { id = "hello", path = "/hello", target = $"http://127.0.0.1:{fn.Port}/fn/hello" } },
        };
        await using var gateway = await TestGateway.StartAsync([app]);
        var request = new HttpRequestMessage(HttpMethod.Get, "/hello?name=x");
        request.Headers.Host = "api.example.com";

        using var response = await gateway.Client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        fn.Seen.Single().RawTarget.Should().Be("/fn/hello?name=x");
    }
}
