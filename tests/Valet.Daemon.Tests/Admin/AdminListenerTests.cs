using System.Net;
using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Admin;

/// <summary>Requirement 1: the admin API has its own listener, and the two never answer for each other.</summary>
public sealed class AdminListenerTests
{
    [Theory]
    [InlineData("/apis")]
    [InlineData("/reload")]
    [InlineData("/health")]
    [InlineData("/ready")]
    public async Task AdminRoute_OnPublicPort_NotTheAdminApi(string path)
    {
        await using var gateway = await TestGateway.StartAsync([TestGateway.MockApp("svc")]);

        using var get = await gateway.Client.GetAsync(path);
        using var post = await gateway.Client.PostAsync(path, null);

        get.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await get.JsonAsync()).GetProperty("type").GetString().Should().Be("urn:valet:problem:unknown-app");
        post.StatusCode.Should().Be(HttpStatusCode.NotFound);
        gateway.Config.Current.Count.Should().Be(1);
    }

    [Fact]
    public async Task PublicRoute_OnAdminPort_NotForwarded()
    {
        await using var backend = await TestBackend.StartNamedAsync("b");
        await using var gateway = await TestGateway.StartAsync([TestGateway.App("svc", backend)]);

        using var response = await gateway.Admin.GetAsync("/svc/x");

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await response.JsonAsync()).GetProperty("type").GetString().Should().Be("urn:valet:admin:unknown-route");
        backend.Hits.Should().Be(0);
    }

    [Fact]
    public async Task AdminPortZero_BoundPortFoundAfterStart_DiffersFromPublic()
    {
        await using var gateway = await TestGateway.StartAsync([TestGateway.MockApp("svc")]);

        gateway.AdminAddress.Port.Should().BeGreaterThan(0).And.NotBe(gateway.Address.Port);
        (await gateway.Admin.GetAsync("/health")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await gateway.Client.GetAsync("/svc/")).StatusCode.Should().Be(HttpStatusCode.OK);
    }
}
