using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;
using Valet.Core.Configuration;

namespace Valet.Daemon.Hosting;

/// <summary>
/// Picks the certificate of each TLS handshake by SNI (Kestrel's ServerCertificateSelector), from
/// the current route table, so certificates change with the app files on reload: the app whose
/// <c>hosts</c> list the name serves its <c>tls</c> certificate; an app with <c>https: "off"</c>
/// refuses the handshake; any other name gets the default certificate.
/// </summary>
public sealed class SniCertificateSelector
{
    private readonly ConfigManager _config;

    public SniCertificateSelector(ConfigManager config, ValetOptions options)
    {
        _config = config;
        Default = LoadDefault(options);
    }

    /// <summary>The certificate for unknown names: <c>--tls-cert</c>/<c>--tls-key</c>, or a self-signed one made at start.</summary>
    public X509Certificate2 Default { get; }

    public X509Certificate2 Select(ConnectionContext? connection, string? serverName)
    {
        if (string.IsNullOrEmpty(serverName) || !_config.Current.TryGetAppByHost(serverName, out var app)) return Default;
        if (app.Config.Https == HttpsMode.Off)
        {
            // Kestrel logs an AuthenticationException at debug level and closes the connection.
            throw new AuthenticationException($"app '{app.Name}' does not serve TLS for {serverName}");
        }

        return app.Config.Tls?.Certificate ?? Default;
    }

    private static X509Certificate2 LoadDefault(ValetOptions options)
    {
        if (options.TlsCertFile is { } cert && options.TlsKeyFile is { } key) return X509Certificate2.CreateFromPemFile(cert, key);
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=valet", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
    }
}
