using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;
using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Hosting;

public sealed class TlsTests
{
    /// <summary>A self-signed certificate for <paramref name="host"/>, written as PEM files into the conf folder.</summary>
    private static X509Certificate2 WriteCertificate(TempFolder conf, string host, string file)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={host}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(host);
        request.CertificateExtensions.Add(names.Build());
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        conf.Write(file + ".crt", certificate.ExportCertificatePem());
        conf.Write(file + ".key", key.ExportPkcs8PrivateKeyPem());
        return certificate;
    }

    private static Dictionary<string, object?> HostApp(string name, TestBackend backend, string host, string? https = null, bool tls = true)
    {
        var app = TestGateway.App(name, backend);
        app["hosts"] = new[] { host };
        if (tls) app["tls"] = new { cert = name + ".crt", key = name + ".key" };
        if (https is not null) app["https"] = https;
        return app;
    }

    /// <summary>An HTTPS client that connects to the gateway whatever the URL's host, sending that host as SNI, and records the server certificate.</summary>
    private static HttpClient Client(TestGateway gateway, List<X509Certificate2> seen) => new(new SocketsHttpHandler
    {
        UseProxy = false,
        ConnectCallback = async (_, token) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(IPAddress.Loopback, gateway.HttpsAddress!.Port, token);
            return new NetworkStream(socket, ownsSocket: true);
        },
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            {
                lock (seen) seen.Add(new X509Certificate2(certificate!));
                return true;
            },
        },
    });

    private static Task<TestGateway> Start(Action<TempFolder> prepare, params object[] apps) =>
        TestGateway.StartAsync(apps, prepare: prepare, https: true);

    [Fact]
    public async Task Sni_TwoHosts_EachGetsItsCertificate_UnknownGetsDefault()
    {
        await using var a = await TestBackend.StartAsync(c => c.Response.WriteAsync("a"));
        await using var b = await TestBackend.StartAsync(c => c.Response.WriteAsync("b"));
        X509Certificate2 certA = null!, certB = null!;
        await using var gateway = await Start(conf =>
        {
            certA = WriteCertificate(conf, "a.example.com", "a");
            certB = WriteCertificate(conf, "b.example.com", "b");
        }, HostApp("a", a, "a.example.com"), HostApp("b", b, "b.example.com"));
        var seen = new List<X509Certificate2>();
        using var client = Client(gateway, seen);
        var port = gateway.HttpsAddress!.Port;

        var fromA = await client.GetStringAsync($"https://a.example.com:{port}/x");
        var fromB = await client.GetStringAsync($"https://b.example.com:{port}/x");
        using var unknown = await client.GetAsync($"https://other.example.com:{port}/a/x");

        (fromA, fromB).Should().Be(("a", "b"));
        unknown.StatusCode.Should().Be(HttpStatusCode.OK, "an unknown name gets the default certificate and path routing");
        seen.Select(c => c.Thumbprint).Should().Equal(certA.Thumbprint, certB.Thumbprint, seen[2].Thumbprint);
        seen[2].Subject.Should().Be("CN=valet");
    }

    [Fact]
    public async Task Sni_CertificateFileReplaced_ReloadServesNewOne()
    {
        await using var a = await TestBackend.StartAsync(c => c.Response.WriteAsync("a"));
        await using var gateway = await Start(conf => WriteCertificate(conf, "a.example.com", "a"), HostApp("a", a, "a.example.com"));
        var renewed = WriteCertificate(gateway.Conf, "a.example.com", "a");

        var report = gateway.Config.Reload();
        var seen = new List<X509Certificate2>();
        using var client = Client(gateway, seen);
        await client.GetStringAsync($"https://a.example.com:{gateway.HttpsAddress!.Port}/x");

        report.Changes.Single().Kind.Should().Be(Valet.Core.Configuration.AppChangeKind.Updated, "the app file is the same but its certificate changed");
        seen.Single().Thumbprint.Should().Be(renewed.Thumbprint);
    }

    [Fact]
    public async Task HttpsOnly_PlainRequest_308ToHttps()
    {
        await using var a = await TestBackend.StartAsync(c => c.Response.WriteAsync("a"));
        await using var gateway = await Start(conf => WriteCertificate(conf, "a.example.com", "a"), HostApp("a", a, "a.example.com", https: "only"));
        var request = new HttpRequestMessage(HttpMethod.Get, "/users/1?x=2");
        request.Headers.Host = "a.example.com";

        using var plain = await gateway.Client.SendAsync(request);
        using var secure = await Client(gateway, []).GetAsync($"https://a.example.com:{gateway.HttpsAddress!.Port}/users/1");

        plain.StatusCode.Should().Be(HttpStatusCode.PermanentRedirect);
        plain.Headers.Location!.ToString().Should().Be($"https://a.example.com:{gateway.HttpsAddress.Port}/users/1?x=2");
        secure.StatusCode.Should().Be(HttpStatusCode.OK);
        a.Hits.Should().Be(1);
    }

    [Fact]
    public async Task HttpsOff_TlsHandshakeRefused_PlainServed()
    {
        await using var c = await TestBackend.StartAsync(ctx => ctx.Response.WriteAsync("c"));
        await using var gateway = await Start(_ => { }, HostApp("c", c, "c.example.com", https: "off", tls: false));
        var request = new HttpRequestMessage(HttpMethod.Get, "/x");
        request.Headers.Host = "c.example.com";

        var secure = async () => await Client(gateway, []).GetAsync($"https://c.example.com:{gateway.HttpsAddress!.Port}/x");
        using var plain = await gateway.Client.SendAsync(request);

        await secure.Should().ThrowAsync<HttpRequestException>();
        plain.StatusCode.Should().Be(HttpStatusCode.OK);
        c.Hits.Should().Be(1);
    }
}
