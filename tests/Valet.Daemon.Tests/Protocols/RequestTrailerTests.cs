using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Valet.Core.Configuration;
using Valet.Core.Forwarding.Http2;
using Valet.Core.LoadBalancing;
using Valet.Core.Routing;
using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Protocols;

/// <summary>
/// Request trailers to <c>http2</c>/<c>h2c</c> endpoints: announced with a <c>Trailer</c> header,
/// they go through Valet's own HTTP/2 client; everything else stays on SocketsHttpHandler.
/// </summary>
public sealed class RequestTrailerTests
{
    private const string App = "tr";

    /// <summary>What the echo endpoint saw of a request.</summary>
    private sealed record Echo(long Length, string Sha256, Dictionary<string, string> Trailers, Dictionary<string, string> Headers, string Protocol);

    private static Dictionary<string, object?> AppFor(int port, string protocol = "h2c", double? timeout = null, bool tls = false)
    {
        var app = new Dictionary<string, object?>
        {
            ["name"] = App,
            ["endpoints"] = new[] { new { host = "127.0.0.1", port, scheme = tls ? "https" : "http", protocol } },
        };
        if (timeout is not null) app["timeout"] = timeout;
        return app;
    }

    /// <summary>
    /// An HTTP/2-only endpoint that reads the body to its end and answers with what it saw (length,
    /// SHA-256, request trailers, headers), then a response trailer; optionally a large body first.
    /// </summary>
    private static Task<TestBackend> EchoEndpointAsync(X509Certificate2? certificate = null, int extraBody = 0) => TestBackend.StartAsync(async context =>
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[32 * 1024];
        long length = 0;
        int read;
        while ((read = await context.Request.Body.ReadAsync(buffer)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            length += read;
        }

        var trailers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (context.Request.CheckTrailersAvailable())
        {
            foreach (var trailer in context.Features.Get<IHttpRequestTrailersFeature>()!.Trailers) trailers[trailer.Key] = trailer.Value.ToString();
        }

        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        context.Response.Headers["X-Connection"] = context.Connection.Id;
        context.Response.ContentType = "application/json";
        var echo = new Echo(length, Convert.ToHexString(hash.GetHashAndReset()), trailers, headers, context.Request.Protocol);
        if (extraBody > 0)
        {
            await context.Response.Body.WriteAsync(Pattern(extraBody));
            await context.Response.WriteAsync("\n");
        }

        await context.Response.WriteAsync(JsonSerializer.Serialize(echo));
        context.Response.AppendTrailer("X-Reply", "done");
    }, record: false, protocols: HttpProtocols.Http2, certificate: certificate);

    private static byte[] Pattern(int length)
    {
        var bytes = new byte[length];
        for (var i = 0; i < length; i++) bytes[i] = (byte)(i * 7 % 251);
        return bytes;
    }

    private static Echo Parse(string json)
    {
        var echo = JsonSerializer.Deserialize<Echo>(json)!;
        return echo with { Headers = new Dictionary<string, string>(echo.Headers, StringComparer.OrdinalIgnoreCase) };
    }

    private static string Sha256(byte[] body) => Convert.ToHexString(SHA256.HashData(body));

    private static Http2TrailerClient TrailerClient(TestGateway gateway)
    {
        gateway.Services.GetRequiredService<AppStateRegistry>().TryGet(App, out var state).Should().BeTrue();
        return state!.TrailerClient;
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        // Through PKCS#12 so the key is usable by the TLS server on every platform.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(70_000)]
    [InlineData(1_048_576)]
    public async Task Http11Chunked_AnnouncedTrailer_ReachesH2cEndpointWithBodyIntact(int size)
    {
        await using var endpoint = await EchoEndpointAsync();
        await using var gateway = await TestGateway.StartAsync([AppFor(endpoint.Port)]);
        var body = Pattern(size);
        var checksum = Sha256(body);

        var answer = await ChunkedClient.SendAsync(gateway.Address, $"/{App}/upload", [("Trailer", "X-Checksum"), ("Content-Type", "application/octet-stream")],
            body, [("X-Checksum", checksum)]);

        answer.Status.Should().Be(200, answer.Text);
        var echo = Parse(answer.Text);
        echo.Protocol.Should().Be("HTTP/2");
        echo.Length.Should().Be(size);
        echo.Sha256.Should().Be(checksum);
        echo.Trailers.Should().Equal(new Dictionary<string, string> { ["x-checksum"] = checksum });
        echo.Headers["trailer"].Should().Be("X-Checksum", "the announcement goes on, for endpoints that need it");
        echo.Headers["content-type"].Should().Be("application/octet-stream");
        TrailerClient(gateway).Attempts.Should().Be(1);
    }

    [Fact]
    public async Task Http2Client_AnnouncedTrailer_ReachesH2cEndpoint_ResponseTrailersComeBack()
    {
        await using var endpoint = await EchoEndpointAsync();
        await using var gateway = await TestGateway.StartAsync([AppFor(endpoint.Port)], h2c: true);
        var body = Pattern(100_000);

        // Valet's own client is the only HTTP/2 client at hand that sends request trailers.
        var context = new DefaultHttpContext();
        context.Features.Set<IHttpRequestTrailersFeature>(new FixedRequestTrailers(new HeaderDictionary { ["X-Checksum"] = Sha256(body) }));
        var clientApp = new AppModel(new AppConfig { Name = "client", Endpoints = [new EndpointConfig { Host = "127.0.0.1", Port = 1 }] }, "c.json", "r", new AppState("client"));
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(gateway.H2cAddress!, $"/{App}/upload")) { Content = new ByteArrayContent(body) };
        request.Headers.TryAddWithoutValidation("Trailer", "X-Checksum");
        var client = new Http2TrailerClient(null, TimeSpan.FromSeconds(10));

        await using var connection = await client.SendAsync(request, new RequestTrailers(context.Request, clientApp), default);
        var response = connection.Response!;
        await using var stream = await response.Content.ReadAsStreamAsync();
        var text = await new StreamReader(stream).ReadToEndAsync();

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var echo = Parse(text);
        echo.Sha256.Should().Be(Sha256(body));
        echo.Trailers.Should().Equal(new Dictionary<string, string> { ["x-checksum"] = Sha256(body) });
        response.TrailingHeaders.GetValues("X-Reply").Should().Equal("done");
        TrailerClient(gateway).Attempts.Should().Be(1);
    }

    [Fact]
    public async Task Http2TlsEndpoint_TrustedCertificate_TrailerArrivesOverAlpnH2()
    {
        using var certificate = SelfSigned();
        await using var endpoint = await EchoEndpointAsync(certificate);
        var checks = 0;
        RemoteCertificateValidationCallback trustOurs = (_, presented, _, _) =>
        {
            Interlocked.Increment(ref checks);
            return presented is not null && presented.GetCertHashString() == certificate.GetCertHashString();
        };
        await using var gateway = await TestGateway.StartAsync([AppFor(endpoint.Port, "http2", tls: true)], upstreamCertificateValidation: trustOurs);

        var answer = await ChunkedClient.SendAsync(gateway.Address, $"/{App}/x", [("Trailer", "X-Checksum")], "secret"u8.ToArray(), [("X-Checksum", "c1")]);

        answer.Status.Should().Be(200, answer.Text);
        var echo = Parse(answer.Text);
        echo.Trailers.Should().Equal(new Dictionary<string, string> { ["x-checksum"] = "c1" });
        echo.Protocol.Should().Be("HTTP/2");
        checks.Should().Be(1, "the TLS handshake of the trailer path asked the app's certificate check");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Http2TlsEndpoint_SelfSignedUnderSystemTrust_502OnEitherPath(bool announced)
    {
        using var certificate = SelfSigned();
        await using var endpoint = await EchoEndpointAsync(certificate);
        await using var gateway = await TestGateway.StartAsync([AppFor(endpoint.Port, "http2", tls: true)]);
        (string, string)[] headers = announced ? [("Trailer", "X-Checksum")] : [];

        var answer = await ChunkedClient.SendAsync(gateway.Address, $"/{App}/x", headers, "x"u8.ToArray(), [("X-Checksum", "c1")]);

        answer.Status.Should().Be(502, "both clients check certificates against the system's trust store");
        answer.Text.Should().Contain("upstream-failed");
        TrailerClient(gateway).Attempts.Should().Be(announced ? 1 : 0);
    }

    [Fact]
    public async Task TrailerPath_LargeResponse_StreamedWithResponseTrailers()
    {
        await using var endpoint = await EchoEndpointAsync(extraBody: 2 * 1024 * 1024);
        await using var gateway = await TestGateway.StartAsync([AppFor(endpoint.Port)], h2c: true);
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(gateway.H2cAddress!, $"/{App}/big"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new StringContent("hello"),
        };
        // Announced, though HttpClient sends none: still the trailer path (the endpoint sees none).
        request.Headers.TryAddWithoutValidation("Trailer", "X-Checksum");

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var bytes = await response.Content.ReadAsByteArrayAsync();

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var expected = Pattern(2 * 1024 * 1024);
        bytes.AsSpan(0, expected.Length).SequenceEqual(expected).Should().BeTrue("the 2 MiB body passes intact through the receive window");
        var echo = Parse(Encoding.UTF8.GetString(bytes, expected.Length + 1, bytes.Length - expected.Length - 1));
        echo.Length.Should().Be(5);
        echo.Trailers.Should().BeEmpty();
        response.TrailingHeaders.GetValues("X-Reply").Should().Equal("done");
        TrailerClient(gateway).Attempts.Should().Be(1);
    }

    [Fact]
    public async Task TrailerPath_HopByHopCredentialAndGatewayHeaders_FilteredInHeadersAndTrailers()
    {
        await using var endpoint = await EchoEndpointAsync();
        var app = AppFor(endpoint.Port);
        app["authorize"] = true;
        app["authKey"] = "thisismyauth";
        app["authHeader"] = "X-Api-Key";
        await using var gateway = await TestGateway.StartAsync([app]);

        var answer = await ChunkedClient.SendAsync(gateway.Address, $"/{App}/h",
        [
            ("Trailer", "X-Checksum, X-Api-Key, Proxy-Authorization"), ("X-Api-Key", "thisismyauth"), ("X-Custom", "one"),
            ("Connection", "X-Hop"), ("X-Hop", "secret"), ("Keep-Alive", "timeout=5"), ("Proxy-Authorization", "Basic x"), ("TE", "trailers"),
            ("X-Forwarded-For", "6.6.6.6"), ("X-Request-Id", "bad id with spaces"), ("X-Valet-Consumer", "mallory"),
        ], "body"u8.ToArray(),
        [
            ("X-Checksum", "abc"), ("X-Api-Key", "thisismyauth"), ("Proxy-Authorization", "Basic y"), ("X-Valet-Consumer", "mallory"),
            ("X-Forwarded-For", "7.7.7.7"),
        ]);

        answer.Status.Should().Be(200, answer.Text);
        var echo = Parse(answer.Text);
        echo.Trailers.Should().Equal(new Dictionary<string, string> { ["x-checksum"] = "abc" });
        var seen = echo.Headers;
        seen["x-custom"].Should().Be("one");
        seen["te"].Should().Be("trailers");
        seen["trailer"].Should().Be("X-Checksum");
        seen["x-forwarded-for"].Should().Be("127.0.0.1");
        seen["x-forwarded-proto"].Should().Be("http");
        seen["x-request-id"].Should().Be(answer.Headers["X-Request-Id"]).And.NotBe("bad id with spaces");
        seen.Should().ContainKey("traceparent");
        seen.Should().NotContainKeys("x-hop", "keep-alive", "proxy-authorization", "x-api-key", "connection", "transfer-encoding");
        seen.GetValueOrDefault("x-valet-consumer").Should().NotBe("mallory");
        TrailerClient(gateway).Attempts.Should().Be(1);
    }

    [Fact]
    public async Task TrailerPath_EndpointRefusing_502ThenCoolingDown503()
    {
        await using var gateway = await TestGateway.StartAsync([AppFor(ClosedPort.Get())]);

        var first = await ChunkedClient.SendAsync(gateway.Address, $"/{App}/x", [("Trailer", "X-Checksum")], "x"u8.ToArray(), [("X-Checksum", "c")]);
        var second = await ChunkedClient.SendAsync(gateway.Address, $"/{App}/x", [("Trailer", "X-Checksum")], "x"u8.ToArray(), [("X-Checksum", "c")]);

        first.Status.Should().Be(502);
        first.Text.Should().Contain("upstream-unreachable", "a refused connection is a connect failure, which cools the endpoint down");
        second.Status.Should().Be(503);
        second.Headers.Should().ContainKey("Retry-After");
        TrailerClient(gateway).Attempts.Should().Be(1, "the first went the trailer path; the second found the endpoint cooling down");
    }

    [Fact]
    public async Task TrailerPath_EndpointSpeaksHttp11_502()
    {
        await using var endpoint = await TestBackend.StartAsync(c => c.Response.WriteAsync("http/1.1 only"));
        await using var gateway = await TestGateway.StartAsync([AppFor(endpoint.Port)]);

        var answer = await ChunkedClient.SendAsync(gateway.Address, $"/{App}/x", [("Trailer", "X-Checksum")], "x"u8.ToArray(), [("X-Checksum", "c")]);

        answer.Status.Should().Be(502);
        answer.Text.Should().Contain("upstream-failed");
        TrailerClient(gateway).Attempts.Should().Be(1);
    }

    [Fact]
    public async Task TrailerPath_EndpointSilentPastTheTimeout_504AndEndpointCancelled()
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var endpoint = await TestBackend.StartAsync(async c =>
        {
            try { await Task.Delay(Timeout.Infinite, c.RequestAborted); }
            catch (OperationCanceledException) { cancelled.TrySetResult(); }
        }, record: false, protocols: HttpProtocols.Http2);
        await using var gateway = await TestGateway.StartAsync([AppFor(endpoint.Port, timeout: 0.3)]);

        var answer = await ChunkedClient.SendAsync(gateway.Address, $"/{App}/slow", [("Trailer", "X-Checksum")], "x"u8.ToArray(), [("X-Checksum", "c")]);

        answer.Status.Should().Be(504);
        answer.Text.Should().Contain("upstream-timeout");
        await cancelled.Task.Within("the endpoint's stream was reset");
        TrailerClient(gateway).Attempts.Should().Be(1);
    }

    [Fact]
    public async Task TrailerPath_ClientAborts_EndpointStreamCancelled()
    {
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var endpoint = await TestBackend.StartAsync(async c =>
        {
            arrived.TrySetResult();
            try { await Task.Delay(Timeout.Infinite, c.RequestAborted); }
            catch (OperationCanceledException) { cancelled.TrySetResult(); }
        }, record: false, protocols: HttpProtocols.Http2);
        await using var gateway = await TestGateway.StartAsync([AppFor(endpoint.Port)]);
        var connection = await RawConnection.OpenAsync(gateway.Address);

        // The head and a first chunk; the body never ends.
        await connection.TrySendAsync($"POST /{App}/up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n5\r\nhello\r\n");
        await arrived.Task.Within("the request reached the endpoint");
        await connection.DisposeAsync();

        await cancelled.Task.Within("the endpoint's stream was cancelled after the client went away");
        TrailerClient(gateway).Attempts.Should().Be(1);
    }

    [Fact]
    public async Task NoTrailerHeader_H2cEndpoint_StaysOnPooledClientTrailersDroppedAndLoggedOnce()
    {
        await using var endpoint = await EchoEndpointAsync();
        var logs = new CapturedLogs();
        await using var gateway = await TestGateway.StartAsync([AppFor(endpoint.Port)], logs: logs);

        var first = await ChunkedClient.SendAsync(gateway.Address, $"/{App}/a", [], "hello"u8.ToArray(), [("X-Checksum", "c")]);
        var second = await ChunkedClient.SendAsync(gateway.Address, $"/{App}/b", [], "hello"u8.ToArray(), [("X-Checksum", "c")]);

        first.Status.Should().Be(200, first.Text);
        Parse(first.Text).Trailers.Should().BeEmpty("SocketsHttpHandler cannot send them");
        Parse(first.Text).Length.Should().Be(5);
        first.Headers["X-Connection"].Should().Be(second.Headers["X-Connection"], "both went over the app's pooled HTTP/2 connection");
        TrailerClient(gateway).Attempts.Should().Be(0);
        logs.Messages.Where(m => m.Contains("request trailers", StringComparison.Ordinal)).Should().ContainSingle()
            .Which.Should().Contain($"App {App}").And.Contain("Trailer header");
    }
}
