using System.Net;

namespace Valet.Daemon.Hosting;

/// <summary>Daemon settings: from flags, then <c>VALET_*</c> environment variables, then defaults. They change with a restart.</summary>
public sealed record ValetOptions
{
    public const int DefaultPort = 8000;

    /// <summary>Folder of app files.</summary>
    public string ConfDirectory { get; init; } = "./conf";

    /// <summary>Public listener port; 0 picks a free one (tests).</summary>
    public int Port { get; init; } = DefaultPort;

    /// <summary>Optional cleartext HTTP/2 (prior knowledge) listener port; null for none.</summary>
    public int? H2cPort { get; init; }

    /// <summary>Conventional HTTPS port, used when <c>--https-port</c> is given without a number.</summary>
    public const int DefaultHttpsPort = 8443;

    /// <summary>HTTPS listener port (HTTP/1.1 and HTTP/2 by ALPN, certificates by SNI); null for none.</summary>
    public int? HttpsPort { get; init; }

    /// <summary>PEM certificate for names no app's <c>tls</c> covers; null = a self-signed one made at start.</summary>
    public string? TlsCertFile { get; init; }

    /// <summary>PEM private key of <see cref="TlsCertFile"/>.</summary>
    public string? TlsKeyFile { get; init; }

    /// <summary>Address to bind; null means every interface (IPv4 and IPv6).</summary>
    public IPAddress? Bind { get; init; }

    /// <summary>How long an endpoint is skipped after a connect failure or timeout.</summary>
    public TimeSpan HealthCooldown { get; init; } = TimeSpan.FromSeconds(10);
}
