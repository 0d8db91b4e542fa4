using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Protocols;

/// <summary>One grpcio server behind one Valet (h2c listener), shared by the tests of <see cref="GrpcPassThroughTests"/>.</summary>
public sealed class GrpcPassThroughFixture : IAsyncLifetime
{
    public Grpcio Server { get; private set; } = null!;

    public TestGateway Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await Grpcio.StartServerAsync();
        object Endpoint() => new[] { new { host = "127.0.0.1", port = Server.Port, protocol = "h2c" } };
        Gateway = await TestGateway.StartAsync(
        [
            // Routed by service name: /valet.test.v1.Echo/Say needs no app segment.
            new Dictionary<string, object?> { ["name"] = "echo", ["grpcServices"] = new[] { "valet.test.v1.Echo" }, ["endpoints"] = Endpoint() },
            // Routed by host (the call's :authority).
            new Dictionary<string, object?>
            {
                ["name"] = "secure", ["hosts"] = new[] { "secure.grpc.test" }, ["authorize"] = true, ["authKey"] = "k3y", ["endpoints"] = Endpoint(),
            },
            new Dictionary<string, object?>
            {
                ["name"] = "limited", ["hosts"] = new[] { "limited.grpc.test" }, ["rateLimit"] = true, ["limitValue"] = 1, ["limitPeriod"] = 86400,
                ["endpoints"] = Endpoint(),
            },
            new Dictionary<string, object?> { ["name"] = "down", ["hosts"] = new[] { "down.grpc.test" }, ["endpoints"] = new[] { new { host = "127.0.0.1", port = ClosedPort.Get(), protocol = "h2c" } } },
        ], h2c: true);
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Server.DisposeAsync();
    }
}

/// <summary>gRPC through Valet, proven with real grpcio on both ends (python3-grpcio).</summary>
public sealed class GrpcPassThroughTests(GrpcPassThroughFixture fixture) : IClassFixture<GrpcPassThroughFixture>
{
    private Uri Target => fixture.Gateway.H2cAddress!;

    private static string[] Replies(JsonElement outcome) => outcome.GetProperty("replies").EnumerateArray().Select(r => r.GetString()!).ToArray();

    private static string? Meta(JsonElement outcome, string kind, string name) =>
        outcome.GetProperty(kind).TryGetProperty(name, out var value) ? value.GetString() : null;

    [Fact]
    public async Task Unary_ByServiceName_ReplyHeadersAndTrailersIntact()
    {
        var outcome = await Grpcio.CallAsync(Target, "say");

        outcome.GetProperty("code").GetString().Should().Be("OK");
        Replies(outcome).Should().Equal("echo:hello");
        Meta(outcome, "initial", "x-initial").Should().Be("hi");
        Meta(outcome, "trailing", "x-served-by").Should().Be("grpcio");
    }

    [Fact]
    public async Task ServerStreaming_AllRepliesThenTrailers()
    {
        var outcome = await Grpcio.CallAsync(Target, "count");

        outcome.GetProperty("code").GetString().Should().Be("OK");
        Replies(outcome).Should().Equal("n0", "n1", "n2", "n3", "n4");
        Meta(outcome, "trailing", "x-total").Should().Be("5");
    }

    [Fact]
    public async Task BidiStreaming_EachRequestAnsweredBeforeTheNextIsSent()
    {
        var outcome = await Grpcio.CallAsync(Target, "chat");

        outcome.GetProperty("code").GetString().Should().Be("OK");
        Replies(outcome).Should().Equal("re:a", "re:b", "re:c");
    }

    [Fact]
    public async Task ServerError_StatusAndMessagePassThrough()
    {
        var outcome = await Grpcio.CallAsync(Target, "fail");

        outcome.GetProperty("code").GetString().Should().Be("NOT_FOUND");
        outcome.GetProperty("details").GetString().Should().Be("pas trouvé ✓ 100%");
    }

    [Fact]
    public async Task HostRouted_MissingKey_GatewayAnswersUnauthenticated()
    {
        var refused = await Grpcio.CallAsync(Target, "say", authority: "secure.grpc.test");
        var admitted = await Grpcio.CallAsync(Target, "say", authority: "secure.grpc.test", key: "k3y");

        refused.GetProperty("code").GetString().Should().Be("UNAUTHENTICATED");
        refused.GetProperty("details").GetString().Should().Contain("X-Valet-Auth");
        admitted.GetProperty("code").GetString().Should().Be("OK");
        Meta(admitted, "trailing", "x-consumer").Should().Be("default", "the backend got X-Valet-Consumer, not the key");
    }

    [Fact]
    public async Task RateLimited_SecondCall_GatewayAnswersResourceExhausted()
    {
        var first = await Grpcio.CallAsync(Target, "say", authority: "limited.grpc.test");
        var second = await Grpcio.CallAsync(Target, "say", authority: "limited.grpc.test");

        first.GetProperty("code").GetString().Should().Be("OK");
        second.GetProperty("code").GetString().Should().Be("RESOURCE_EXHAUSTED");
    }

    [Fact]
    public async Task EndpointDown_GatewayAnswersUnavailable()
    {
        var outcome = await Grpcio.CallAsync(Target, "say", authority: "down.grpc.test");

        outcome.GetProperty("code").GetString().Should().Be("UNAVAILABLE");
    }

    [Fact]
    public async Task GatewayError_IsTrailersOnly_NoProblemJsonBody()
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Target, "/valet.test.v1.Echo/Say"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent([0, 0, 0, 0, 0]),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.Host = "secure.grpc.test";

        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/grpc");
        response.Headers.GetValues("grpc-status").Should().Equal("16");
        body.Should().BeEmpty();
    }
}
