using Microsoft.AspNetCore.Http;
using Valet.Core.Configuration;
using Valet.Core.LoadBalancing;
using Valet.Core.Routing;

namespace Valet.Core.Tests.Routing;

/// <summary>Apps found by the gRPC service in the path (<c>/pkg.Service/Method</c>).</summary>
public sealed class GrpcServiceRoutingTests
{
    private static AppModel Model(string name, params string[] services) => new(
        new AppConfig { Name = name, GrpcServices = services, Endpoints = [new EndpointConfig { Host = "a", Port = 1, Protocol = EndpointProtocol.H2c }] },
        name + ".json", "r", new AppState(name));

    private static readonly RouteTable Table = new([Model("echo", "valet.test.v1.Echo"), Model("plain")]);

    [Fact]
    public void Resolve_ServicePath_AppWithWholePath()
    {
        AppResolver.Resolve(Table, new HostString("x"), "/valet.test.v1.Echo/Say", out var app, out var target).Should().Be(Resolution.Found);

        app!.Name.Should().Be("echo");
        target.Path.ToString().Should().Be("/valet.test.v1.Echo/Say");
    }

    [Theory]
    [InlineData("/valet.test.v1.Echo")]
    [InlineData("/valet.test.v1.echo/Say")]
    [InlineData("/valet.test.v1.Echo.X/Say")]
    public void Resolve_NotTheService_PathRouting(string raw)
    {
        AppResolver.Resolve(Table, new HostString("x"), raw, out var app, out _).Should().Be(Resolution.UnknownApp);

        app.Should().BeNull();
    }

    [Fact]
    public void Resolve_AppSegment_StillRoutedByName()
    {
        AppResolver.Resolve(Table, new HostString("x"), "/plain/a", out var app, out var target).Should().Be(Resolution.Found);

        app!.Name.Should().Be("plain");
        target.Path.ToString().Should().Be("/a");
        Table.HasGrpcServices.Should().BeTrue();
        new RouteTable([Model("plain")]).HasGrpcServices.Should().BeFalse();
    }
}
