using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Routing;

public sealed class RoutingTests
{
    [Theory]
    [InlineData("/nope/x")]
    [InlineData("/")]
    [InlineData("/SVC/x")]
    public async Task Request_UnknownOrMissingApp_404Problem(string path)
    {
        await using var backend = await TestBackend.StartNamedAsync("b");
        await using var gateway = await TestGateway.StartAsync([TestGateway.App("svc", backend)]);

        using var response = await gateway.Client.GetAsync(path);

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        problem.GetProperty("status").GetInt32().Should().Be(404);
        problem.GetProperty("title").GetString().Should().NotBeEmpty();
        problem.GetProperty("detail").GetString().Should().NotBeEmpty();
        backend.Hits.Should().Be(0);
    }

    [Fact]
    public async Task Request_MethodNotListed_405WithAllow()
    {
        await using var backend = await TestBackend.StartNamedAsync("b");
        var app = TestGateway.App("svc", backend);
        app["methods"] = new[] { "GET", "post" };
        await using var gateway = await TestGateway.StartAsync([app]);

        using var denied = await gateway.Client.DeleteAsync("/svc/x");
        using var allowed = await gateway.Client.PostAsync("/svc/x", new StringContent("x"));

        denied.StatusCode.Should().Be(HttpStatusCode.MethodNotAllowed);
        denied.Content.Headers.Allow.Should().Equal("GET", "POST");
        JsonDocument.Parse(await denied.Content.ReadAsStringAsync()).RootElement.GetProperty("app").GetString().Should().Be("svc");
        allowed.StatusCode.Should().Be(HttpStatusCode.OK);
        backend.Hits.Should().Be(1);
    }

    [Theory]
    [InlineData("/svc/../other/x")]
    [InlineData("/svc/a/../../other")]
    [InlineData("/svc/%2e%2e/other")]
    [InlineData("/svc/.%2E/other")]
    [InlineData("/svc/..%2Fother")]
    [InlineData("/svc/..%5Cother")]
    [InlineData("/svc/./x")]
    [Trait("Category", "Reliability")]
    public async Task Request_DotSegmentsEscapingApp_400AndNothingForwarded(string target)
    {
        await using var backend = await TestBackend.StartNamedAsync("b");
        await using var gateway = await TestGateway.StartAsync([TestGateway.App("svc", backend), TestGateway.App("other", backend)]);

        var answer = await RawHttp.SendAsync(gateway.Address, $"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

        RawHttp.Status(answer).Should().Be(400);
        answer.Should().Contain("application/problem+json").And.Contain("urn:valet:problem:bad-path");
        backend.Hits.Should().Be(0);
    }

    [Fact]
    public async Task Request_ClientRequestId_KeptForwardedAndReturned()
    {
        await using var backend = await TestBackend.StartNamedAsync("b");
        await using var gateway = await TestGateway.StartAsync([TestGateway.App("svc", backend)]);

        var request = new HttpRequestMessage(HttpMethod.Get, "/svc/x");
        request.Headers.Add("X-Request-Id", "order-42.retry:1");
        using var response = await gateway.Client.SendAsync(request);

        response.Headers.GetValues("X-Request-Id").Single().Should().Be("order-42.retry:1");
        backend.Seen.Single().Headers["X-Request-Id"].Should().Be("order-42.retry:1");
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("<script>")]
    [InlineData("")]
    public async Task Request_JunkRequestId_ReplacedByGeneratedOne(string junk)
    {
        await using var backend = await TestBackend.StartNamedAsync("b");
        await using var gateway = await TestGateway.StartAsync([TestGateway.App("svc", backend)]);

        var request = new HttpRequestMessage(HttpMethod.Get, "/svc/x");
        request.Headers.TryAddWithoutValidation("X-Request-Id", junk);
        using var response = await gateway.Client.SendAsync(request);

        var id = response.Headers.GetValues("X-Request-Id").Single();
        id.Should().MatchRegex("^[0-9a-f]{32}$");
        backend.Seen.Single().Headers["X-Request-Id"].Should().Be(id);
    }

    [Fact]
    public async Task Request_NoRequestId_EachGetsADistinctOne()
    {
        await using var backend = await TestBackend.StartNamedAsync("b");
        await using var gateway = await TestGateway.StartAsync([TestGateway.App("svc", backend)]);

        using var one = await gateway.Client.GetAsync("/svc/x");
        using var two = await gateway.Client.GetAsync("/nope/x");

        var ids = new[] { one, two }.Select(r => r.Headers.GetValues("X-Request-Id").Single()).ToList();
        ids.Should().OnlyHaveUniqueItems();
        JsonDocument.Parse(await two.Content.ReadAsStringAsync()).RootElement.GetProperty("requestId").GetString().Should().Be(ids[1]);
    }
}
