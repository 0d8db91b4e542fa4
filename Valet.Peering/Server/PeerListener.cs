using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Valet.Peering.Server;

/// <summary>
/// Sets up the peer listener on Kestrel and tells its requests apart from the public ones. Without
/// TLS it speaks HTTP/2 only (prior knowledge: there is no ALPN to choose); with TLS it offers both
/// through ALPN so that an HTTP/1.1 caller reaches the handler and gets 426.
/// </summary>
public static class PeerListener
{
    private const string Tag = "valet.peer-listener";

    public static void Configure(ListenOptions listen, X509Certificate2? certificate)
    {
        listen.Use(next => connection =>
        {
            connection.Items[Tag] = true;
            return next(connection);
        });
        if (certificate is null)
        {
            listen.Protocols = HttpProtocols.Http2;
            listen.Use(Http1Refusal.Middleware);
        }
        else
        {
            listen.Protocols = HttpProtocols.Http1AndHttp2;
            listen.UseHttps(certificate);
        }
    }

    /// <summary>True for requests that came in on the peer listener.</summary>
    public static bool IsPeerConnection(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.ContainsKey(Tag) == true;

    /// <summary>Loads a PEM certificate and key.</summary>
    public static X509Certificate2 LoadCertificate(string certificatePath, string keyPath) =>
        X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
}
