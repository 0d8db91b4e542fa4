using System.Security.Cryptography.X509Certificates;

namespace Valet.Core.Configuration;

/// <summary>An app's own certificate (<c>tls: { cert, key }</c>), served by SNI for its <c>hosts</c>.</summary>
public sealed record TlsConfig
{
    /// <summary>The PEM certificate (chain) file as written in the app file.</summary>
    public required string CertFile { get; init; }

    /// <summary>The PEM private key file as written in the app file.</summary>
    public required string KeyFile { get; init; }

    /// <summary>The certificate with its key, loaded when the app file was read.</summary>
    public required X509Certificate2 Certificate { get; init; }
}
