using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Protocols;

/// <summary>Endpoints with <c>protocol: "h2c"</c>: a Kestrel endpoint that speaks HTTP/2 only.</summary>
public sealed class Http2EndpointTests
{
    private static Dictionary<string, object?> H2cApp(TestBackend backend) => new()
    {
        ["name"] = "h2",
        ["endpoints"] = new[] { new { host = "127.0.0.1", port = backend.Port, protocol = "h2c" } },
    };

    private static Task<TestBackend> TrailerBackendAsync() => TestBackend.StartAsync(async context =>
    {
        context.Response.Headers["X-Protocol"] = context.Request.Protocol;
        context.Response.ContentType = "text/plain";
        await context.Response.WriteAsync("body:" + System.Text.Encoding.UTF8.GetString((byte[])context.Items["body"]!));
        context.Response.AppendTrailer("X-Checksum", "abc123");
    }, protocols: HttpProtocols.Http2);

    [Fact]
    public async Task H2cEndpoint_Http2Client_BodyAndResponseTrailersPassThrough()
    {
        await using var backend = await TrailerBackendAsync();
        await using var gateway = await TestGateway.StartAsync([H2cApp(backend)], h2c: true);
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(gateway.H2cAddress!, "/h2/x?y=1"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new StringContent("hello"),
        };

        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        body.Should().Be("body:hello");
        response.Headers.GetValues("X-Protocol").Should().Equal("HTTP/2");
        response.TrailingHeaders.GetValues("X-Checksum").Should().Equal("abc123");
        backend.Seen.Should().ContainSingle().Which.RawTarget.Should().Be("/x?y=1");
    }

    [Fact]
    public async Task H2cEndpoint_Http11Client_AnsweredOverHttp2Upstream()
    {
        await using var backend = await TrailerBackendAsync();
        await using var gateway = await TestGateway.StartAsync([H2cApp(backend)]);

        using var response = await gateway.Client.PostAsync("/h2/x", new StringContent("plain"));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Be("body:plain");
        response.Headers.GetValues("X-Protocol").Should().Equal("HTTP/2");
    }
}
