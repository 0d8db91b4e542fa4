using System.Net;
using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Diagnostics;

/// <summary>Issue 9, requirement 2: GET /metrics on the admin listener, in the Prometheus text format.</summary>
public sealed class MetricsEndpointTests
{
    [Fact]
    public async Task GetMetrics_PrometheusTextAcceptedByARealParser()
    {
        await using var backend = await TestBackend.StartNamedAsync("b");
        await using var gateway = await TestGateway.StartAsync([TestGateway.App("svc", backend), TestGateway.MockApp("hello")]);
        (await gateway.GetAsync("/svc/x")).Dispose();
        (await gateway.GetAsync("/hello/")).Dispose();
        (await gateway.GetAsync("/nope/")).Dispose();

        using var response = await gateway.Admin.GetAsync("/metrics");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.ToString().Should().Be("text/plain; version=0.0.4; charset=utf-8");
        response.Headers.CacheControl!.NoStore.Should().BeTrue();
        var text = await response.Content.ReadAsStringAsync();
        var samples = await PrometheusParser.ParseAsync(text);
        samples.Value("valet_apps").Should().Be(2);
        samples.Value("valet_config_reloads_total", ("result", "ok")).Should().Be(1);
        samples.Value("valet_endpoint_healthy", ("app", "svc"), ("endpoint", $"http://127.0.0.1:{backend.Port}")).Should().Be(1);
    }

    [Fact]
    public async Task GetMetrics_BehindTheAdminToken()
    {
        await using var gateway = await TestGateway.StartAsync([TestGateway.MockApp("hello")], adminToken: "s3cret-admin-token");
        using var anonymous = new HttpClient { BaseAddress = gateway.AdminAddress };

        using var refused = await anonymous.GetAsync("/metrics");
        using var allowed = await gateway.Admin.GetAsync("/metrics");

        refused.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        allowed.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task PostMetrics_MethodNotAllowed()
    {
        await using var gateway = await TestGateway.StartAsync([TestGateway.MockApp("hello")]);

        using var response = await gateway.Admin.PostAsync("/metrics", null);

        response.StatusCode.Should().Be(HttpStatusCode.MethodNotAllowed);
        response.Content.Headers.Allow.Should().Equal("GET", "HEAD");
    }
}
