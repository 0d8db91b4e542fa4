using System.Text;
using Valet.Core.Configuration;
using Valet.Core.Tests.TestSupport;

namespace Valet.Core.Tests.Configuration;

/// <summary><c>endpoints[].protocol</c>, <c>grpcServices</c> and <c>webSocketIdleTimeout</c>.</summary>
public sealed class ProtocolFieldTests
{
    private const string Endpoints = "\"endpoints\": [ { \"host\": \"a.example\", \"port\": 80 } ]";

    private static AppParseResult Parse(string fields) =>
        AppConfigParser.Parse("p.json", Encoding.UTF8.GetBytes($"{{ \"name\": \"p\", {fields} }}"), Path.GetTempPath());

    private static ConfigError Single(string fields) => Parse(fields).Errors.Should().ContainSingle().Subject;

    [Fact]
    public void Parse_Defaults_Http1AndFiveMinutesAndNoServices()
    {
        var config = Parse(Endpoints).Config!;

        config.Endpoints.Single().Protocol.Should().Be(EndpointProtocol.Http1);
        config.WebSocketIdleTimeout.Should().Be(300);
        config.GrpcServices.Should().BeEmpty();
    }

    [Fact]
    public void Parse_Protocols_EachRead()
    {
        var result = Parse("""
            "endpoints": [ { "host": "a", "port": 1, "protocol": "h2c" }, { "host": "a", "port": 2, "scheme": "https", "protocol": "http2" },
                           { "host": "a", "port": 3, "protocol": "http1" } ]
            """);

        result.Errors.Should().BeEmpty();
        result.Config!.Endpoints.Select(e => e.Protocol).Should().Equal(EndpointProtocol.H2c, EndpointProtocol.Http2, EndpointProtocol.Http1);
    }

    [Fact]
    public void Parse_UnknownProtocol_ErrorNamesTheChoices()
    {
        var error = Single("\"endpoints\": [ { \"host\": \"a\", \"port\": 1, \"protocol\": \"HTTP/2\" } ]");

        error.Path.Should().Be("$.endpoints[0].protocol");
        error.Message.Should().Be("'protocol' is \"HTTP/2\"; use \"http1\" (default), \"http2\" (HTTP/2 over TLS) or \"h2c\" (HTTP/2 without TLS)");
    }

    [Theory]
    [InlineData("https", "h2c", "'protocol' \"h2c\" is HTTP/2 without TLS, but 'scheme' is \"https\"; use \"http2\" for HTTP/2 over TLS")]
    [InlineData("http", "http2", "'protocol' \"http2\" is HTTP/2 over TLS, but 'scheme' is \"http\"; set 'scheme' to \"https\", or use \"h2c\" for HTTP/2 without TLS")]
    public void Parse_ProtocolAgainstScheme_Error(string scheme, string protocol, string message)
    {
        var error = Single($"\"endpoints\": [ {{ \"host\": \"a\", \"port\": 1, \"scheme\": \"{scheme}\", \"protocol\": \"{protocol}\" }} ]");

        error.Path.Should().Be("$.endpoints[0].protocol");
        error.Message.Should().Be(message);
    }

    [Fact]
    public void Parse_RouteEndpointProtocol_Read()
    {
        var result = Parse("\"routes\": [ { \"id\": \"r\", \"path\": \"/g\", \"endpoints\": [ { \"host\": \"a\", \"port\": 1, \"protocol\": \"h2c\" } ] } ]");

        result.Errors.Should().BeEmpty();
        result.Config!.Routes.Single().Endpoints.Single().Protocol.Should().Be(EndpointProtocol.H2c);
    }

    [Fact]
    public void Parse_GrpcServices_Read()
    {
        var result = Parse($"{Endpoints}, \"grpcServices\": [\"valet.test.v1.Echo\", \"Greeter\", \"_x.Y_2\"]");

        result.Errors.Should().BeEmpty();
        result.Config!.GrpcServices.Should().Equal("valet.test.v1.Echo", "Greeter", "_x.Y_2");
    }

    [Theory]
    [InlineData("/pkg.Service/")]
    [InlineData("pkg.Service/Method")]
    [InlineData("pkg..Service")]
    [InlineData("1pkg.Service")]
    [InlineData("pkg.Ser vice")]
    [InlineData("")]
    public void Parse_BadGrpcService_Error(string service)
    {
        var error = Single($"{Endpoints}, \"grpcServices\": [\"{service}\"]");

        error.Path.Should().Be("$.grpcServices[0]");
        error.Message.Should().Be($"\"{service}\" is not a gRPC service name; give the full name of the service as in the .proto, \"package.Service\" (a gRPC call's path is /package.Service/Method)");
    }

    [Fact]
    public void Parse_GrpcServiceTwice_Error()
    {
        var error = Single($"{Endpoints}, \"grpcServices\": [\"a.B\", \"a.B\"]");

        error.Path.Should().Be("$.grpcServices[1]");
        error.Message.Should().Be("gRPC service \"a.B\" is listed twice");
    }

    [Theory]
    [InlineData("0", "'webSocketIdleTimeout' is 0; it must be more than 0 and at most 86400")]
    [InlineData("-1", "'webSocketIdleTimeout' is -1; it must be more than 0 and at most 86400")]
    [InlineData("86401", "'webSocketIdleTimeout' is 86401; it must be more than 0 and at most 86400")]
    [InlineData("\"300\"", "'webSocketIdleTimeout' must be a number, not the string \"300\"")]
    public void Parse_BadWebSocketIdleTimeout_Error(string value, string message)
    {
        var error = Single($"{Endpoints}, \"webSocketIdleTimeout\": {value}");

        error.Path.Should().Be("$.webSocketIdleTimeout");
        error.Message.Should().Be(message);
    }

    [Fact]
    public void Parse_WebSocketIdleTimeout_Fractional()
    {
        Parse($"{Endpoints}, \"webSocketIdleTimeout\": 0.25").Config!.WebSocketIdleTimeout.Should().Be(0.25);
    }

    [Fact]
    public void Load_SameGrpcServiceInTwoApps_SecondFileFails()
    {
        using var folder = new TempFolder();
        folder.Write("a.json", $"{{ \"name\": \"a\", {Endpoints}, \"grpcServices\": [\"pkg.Echo\"] }}");
        folder.Write("b.json", $"{{ \"name\": \"b\", {Endpoints}, \"grpcServices\": [\"pkg.Other\", \"pkg.Echo\"] }}");

        var load = AppDirectoryLoader.Load(folder.Path);

        load.Files[0].Succeeded.Should().BeTrue();
        var error = load.Files[1].Errors.Should().ContainSingle().Subject;
        error.Path.Should().Be("$.grpcServices");
        error.Message.Should().Be("gRPC service \"pkg.Echo\" is already routed to app \"a\" (a.json); a service routes to one app");
    }

    [Fact]
    public void Load_GrpcServiceNamedLikeAnotherApp_Fails()
    {
        using var folder = new TempFolder();
        folder.Write("a.json", $"{{ \"name\": \"a\", {Endpoints}, \"grpcServices\": [\"users\"] }}");
        folder.Write("users.json", $"{{ \"name\": \"users\", {Endpoints} }}");

        var load = AppDirectoryLoader.Load(folder.Path);

        load.Files[0].Errors.Should().ContainSingle().Which.Message.Should()
            .Be("gRPC service \"users\" is the name of app \"users\", whose /users/ path it would take over; a service name and an app name must differ");
        load.Files[1].Succeeded.Should().BeTrue();
    }
}
