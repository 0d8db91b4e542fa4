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

    /// <summary>Address to bind; null means every interface (IPv4 and IPv6).</summary>
    public IPAddress? Bind { get; init; }

    /// <summary>How long an endpoint is skipped after a connect failure or timeout.</summary>
    public TimeSpan HealthCooldown { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Aggregate parts running at once across all requests (not a flag yet; tests lower it).</summary>
    public int MaxAggregatePartsInFlight { get; init; } = 1024;
}
