using Microsoft.AspNetCore.Http;
using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Policies;

public sealed class StripHeadersTests
{
    [Fact]
    public async Task Strip_ConfiguredResponseHeadersAndPrefixes_RemovedFromBackendAnswers()
    {
        await using var backend = await TestBackend.StartAsync(c =>
        {
            c.Response.Headers["Server"] = "Apache/2.2";
            c.Response.Headers["X-Powered-By"] = "PHP";
            c.Response.Headers["X-Internal-Trace"] = "node-7";
            c.Response.Headers["x-internal-db"] = "primary";
            c.Response.Headers["X-Public"] = "kept";
            return c.Response.WriteAsync("ok");
        });
        var app = TestGateway.App("svc", backend);
        app["stripResponseHeaders"] = new[] { "Server", "x-powered-by", "X-Internal-*" };
        await using var gateway = await TestGateway.StartAsync([app]);

        using var response = await gateway.Client.GetAsync("/svc/x");

        response.Headers.Select(h => h.Key).Should().NotContain(["Server", "X-Powered-By", "X-Internal-Trace", "x-internal-db"]);
        response.Headers.GetValues("X-Public").Should().Equal("kept");
    }

    [Fact]
    public async Task Strip_ConfiguredRequestHeaders_NotForwarded()
    {
        await using var backend = await TestBackend.StartNamedAsync("ok");
        var app = TestGateway.App("svc", backend);
        app["stripRequestHeaders"] = new[] { "Cookie", "X-Debug-*" };
        await using var gateway = await TestGateway.StartAsync([app]);

        using var response = await gateway.GetAsync("/svc/x", ("Cookie", "session=1"), ("X-Debug-Level", "9"), ("X-Keep", "1"));

        var seen = backend.Seen.Single().Headers;
        seen.Should().NotContainKey("Cookie").And.NotContainKey("X-Debug-Level");
        seen["X-Keep"].Should().Be("1");
    }
}
