using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Valet.Core.Configuration;
using Valet.Daemon.Hosting;
using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Admin;

/// <summary>Requirement 6: liveness and readiness.</summary>
public sealed class ReadinessTests
{
    [Fact]
    public async Task Health_Always200Alive()
    {
        await using var gateway = await TestGateway.StartAsync([TestGateway.MockApp("svc")]);

        using var response = await gateway.Admin.GetAsync("/health");
        using var head = await gateway.Admin.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/health"));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.JsonAsync()).GetProperty("state").GetString().Should().Be("alive");
        head.StatusCode.Should().Be(HttpStatusCode.OK);
        (await head.Content.ReadAsByteArrayAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task Peers_SingleNode_NotClusteredAndNoPeers()
    {
        await using var gateway = await TestGateway.StartAsync([TestGateway.MockApp("svc")]);

        using var response = await gateway.Admin.GetAsync("/peers");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var body = await response.JsonAsync();
        body.GetProperty("clustered").GetBoolean().Should().BeFalse();
        body.GetProperty("nodeId").GetString().Should().NotBeNullOrEmpty();
        body.GetProperty("peers").GetArrayLength().Should().Be(0);
    }

    [Fact]
    public async Task Ready_LoadedAndServing_200WithAppCount()
    {
        await using var gateway = await TestGateway.StartAsync([TestGateway.MockApp("a"), TestGateway.MockApp("b")]);

        using var response = await gateway.Admin.GetAsync("/ready");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var body = await response.JsonAsync();
        body.GetProperty("state").GetString().Should().Be("ready");
        body.GetProperty("apps").GetInt32().Should().Be(2);
    }

    [Fact]
    public async Task Ready_BeforeFirstLoad503Starting_ThenReady()
    {
        using var conf = new TempFolder();
        conf.Write("svc.json", JsonAnswers.MockApp("svc", "hi"));
        var app = GatewayHost.Build(new ValetOptions { ConfDirectory = conf.Path, Port = 0, Bind = IPAddress.Loopback, AdminPort = 0 },
            logging: l => l.SetMinimumLevel(LogLevel.Warning));
        await using var _ = app;
        await app.StartAsync();
        using var admin = new HttpClient { BaseAddress = GatewayHost.AdminAddress(app) };

        using var starting = await admin.GetAsync("/ready");
        using var alive = await admin.GetAsync("/health");
        app.Services.GetRequiredService<ConfigManager>().LoadInitial();
        using var ready = await admin.GetAsync("/ready");

        starting.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        starting.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await starting.JsonAsync()).GetProperty("state").GetString().Should().Be("starting");
        alive.StatusCode.Should().Be(HttpStatusCode.OK);
        ready.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Ready_Draining_503Draining_HealthStill200()
    {
        await using var gateway = await TestGateway.StartAsync([TestGateway.MockApp("svc")]);

        gateway.Services.GetRequiredService<ReadinessState>().MarkDraining();
        using var ready = await gateway.Admin.GetAsync("/ready");
        using var health = await gateway.Admin.GetAsync("/health");

        ready.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        (await ready.JsonAsync()).GetProperty("state").GetString().Should().Be("draining");
        health.StatusCode.Should().Be(HttpStatusCode.OK);
    }
}
