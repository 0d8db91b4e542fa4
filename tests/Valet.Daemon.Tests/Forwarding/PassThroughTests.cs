using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Http;
using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Forwarding;

public sealed class PassThroughTests
{
    [Theory]
    [InlineData("GET")]
    [InlineData("DELETE")]
    [InlineData("PATCH")]
    [InlineData("OPTIONS")]
    [InlineData("CUSTOM")]
    public async Task Forward_Method_ReachesBackendUnchanged(string method)
    {
        await using var backend = await TestBackend.StartAsync(c => c.Response.WriteAsync(c.Request.Method));
        await using var gateway = await TestGateway.StartAsync([TestGateway.App("svc", backend)]);

        using var response = await gateway.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), "/svc/x"));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Be(method);
    }

    [Theory]
    [InlineData("/svc", "/base/")]
    [InlineData("/svc/", "/base/")]
    [InlineData("/svc/a/b", "/base/a/b")]
    [InlineData("/svc/a%20b/c%2Fd?x=1&y=%2F&z", "/base/a%20b/c%2Fd?x=1&y=%2F&z")]
    [InlineData("/svc?only=query", "/base/?only=query")]
    [InlineData("/svc/caf%C3%A9/?q=%E2%82%AC", "/base/caf%C3%A9/?q=%E2%82%AC")]
    public async Task Forward_PathAndQuery_KeepPercentEncodingUnderEndpointPrefix(string sent, string expected)
    {
        await using var backend = await TestBackend.StartAsync(_ => Task.CompletedTask);
        var app = TestGateway.App("svc", backend);
        app["endpoints"] = new[] { new { host = "127.0.0.1", path = "/base", port = backend.Port } };
        await using var gateway = await TestGateway.StartAsync([app]);

        var answer = await RawHttp.SendAsync(gateway.Address, $"GET {sent} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

        RawHttp.Status(answer).Should().Be(200);
        backend.Seen.Single().RawTarget.Should().Be(expected);
    }

    [Fact]
    public async Task Forward_Headers_EndToEndKeptHopByHopDroppedForwardedSet()
    {
        await using var backend = await TestBackend.StartAsync(c =>
        {
            c.Response.Headers["X-Backend"] = "yes";
            c.Response.Headers.Append("Set-Cookie", new[] { "a=1", "b=2" });
            c.Response.Headers["Keep-Alive"] = "timeout=5";
            return c.Response.WriteAsync("ok");
        });
        await using var gateway = await TestGateway.StartAsync([TestGateway.App("svc", backend)]);

        var request = new HttpRequestMessage(HttpMethod.Get, "/svc/h");
        request.Headers.TryAddWithoutValidation("X-Custom", "one");
        request.Headers.TryAddWithoutValidation("X-Multi", new[] { "1", "2" });
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", "6.6.6.6");
        request.Headers.TryAddWithoutValidation("X-Forwarded-Host", "evil.example");
        request.Headers.TryAddWithoutValidation("Connection", "X-Hop");
        request.Headers.TryAddWithoutValidation("X-Hop", "secret");
        request.Headers.TryAddWithoutValidation("Proxy-Authorization", "Basic x");
        using var response = await gateway.Client.SendAsync(request);

        var seen = backend.Seen.Single().Headers;
        seen["X-Custom"].Should().Be("one");
        seen["X-Multi"].Should().Be("1, 2");
        seen["X-Forwarded-For"].Should().Be("127.0.0.1");
        seen["X-Forwarded-Proto"].Should().Be("http");
        seen["X-Forwarded-Host"].Should().Be($"{gateway.Address.Host}:{gateway.Address.Port}");
        seen.Should().NotContainKey("X-Hop").And.NotContainKey("Proxy-Authorization");
        seen["Host"].Should().Be($"127.0.0.1:{backend.Port}");

        response.Headers.GetValues("X-Backend").Should().Equal("yes");
        response.Headers.GetValues("Set-Cookie").Should().Equal("a=1", "b=2");
        response.Headers.Contains("Keep-Alive").Should().BeFalse();
    }

    [Fact]
    public async Task Forward_StatusAndErrorAnswersOfBackend_PassedThroughUnchanged()
    {
        await using var backend = await TestBackend.StartAsync(c =>
        {
            c.Response.StatusCode = 418;
            c.Response.ContentType = "text/x-teapot";
            return c.Response.WriteAsync("short and stout");
        });
        await using var gateway = await TestGateway.StartAsync([TestGateway.App("svc", backend)]);

        using var response = await gateway.Client.GetAsync("/svc/");

        ((int)response.StatusCode).Should().Be(418);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/x-teapot");
        (await response.Content.ReadAsStringAsync()).Should().Be("short and stout");
    }

    [Fact]
    public async Task Forward_PostBodyWithLength_EchoedWithContentType()
    {
        await using var backend = await TestBackend.StartAsync(async c =>
        {
            c.Response.ContentType = c.Request.ContentType;
            await c.Response.Body.WriteAsync((byte[])c.Items["body"]!);
        });
        await using var gateway = await TestGateway.StartAsync([TestGateway.App("svc", backend)]);

        using var response = await gateway.Client.PostAsync("/svc/echo", new StringContent("{\"a\":1}", Encoding.UTF8, "application/json"));

        (await response.Content.ReadAsStringAsync()).Should().Be("{\"a\":1}");
        response.Content.Headers.ContentType!.ToString().Should().Be("application/json; charset=utf-8");
        backend.Seen.Single().Headers["Content-Length"].Should().Be("7");
    }

    [Fact]
    public async Task Forward_ChunkedBody_StreamedToBackend()
    {
        await using var backend = await TestBackend.StartAsync(c => c.Response.Body.WriteAsync((byte[])c.Items["body"]!).AsTask());
        await using var gateway = await TestGateway.StartAsync([TestGateway.App("svc", backend)]);
        var payload = Encoding.UTF8.GetBytes(new string('z', 100_000));

        var content = new StreamContent(new NonSeekableStream(payload));
        var request = new HttpRequestMessage(HttpMethod.Put, "/svc/up") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using var response = await gateway.Client.SendAsync(request);

        (await response.Content.ReadAsByteArrayAsync()).Should().Equal(payload);
        backend.Seen.Single().Headers["Transfer-Encoding"].Should().Be("chunked");
    }

    [Fact]
    public async Task Forward_ResponseTrailers_ReachHttp2Client()
    {
        // Kestrel sends no HTTP/1.1 trailers, so the endpoint is a raw chunked HTTP/1.1 server.
        await using var backend = ScriptedHttp1Backend.Start((_, _) => new ScriptedHttp1Backend.Answer(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n" +
            "5\r\nhello\r\n0\r\nX-Checksum: abc123\r\n\r\n", Close: true));
        var app = new Dictionary<string, object?> { ["name"] = "svc", ["endpoints"] = new[] { new { host = "127.0.0.1", port = backend.Port } } };
        await using var gateway = await TestGateway.StartAsync([app], h2c: true);

        using var client = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var response = await client.GetAsync(new Uri(gateway.H2cAddress!, "/svc/t"));

        response.Version.Should().Be(HttpVersion.Version20);
        (await response.Content.ReadAsStringAsync()).Should().Be("hello");
        response.TrailingHeaders.GetValues("X-Checksum").Should().Equal("abc123");
    }

    [Fact]
    public async Task Forward_Http2Client_ServedThroughH2cPort()
    {
        await using var backend = await TestBackend.StartAsync(c => c.Response.WriteAsync(c.Request.Protocol));
        await using var gateway = await TestGateway.StartAsync([TestGateway.App("svc", backend)], h2c: true);

        using var client = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var response = await client.PostAsync(new Uri(gateway.H2cAddress!, "/svc/x"), new StringContent("body"));

        response.Version.Should().Be(HttpVersion.Version20);
        (await response.Content.ReadAsStringAsync()).Should().Be("HTTP/1.1");
        Encoding.UTF8.GetString(backend.Seen.Single().Body).Should().Be("body");
    }

    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
