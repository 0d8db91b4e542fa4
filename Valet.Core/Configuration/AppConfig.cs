namespace Valet.Core.Configuration;

/// <summary>
/// One backend application, as read from one <c>conf/*.json</c> file. Immutable input: the
/// route table is compiled from it, and a change is a new instance swapped in.
/// Field names follow the original design notes (<c>name, description, authorize, authKey,
/// authHeader, rateLimit, limitValue, endpoints</c>).
/// </summary>
public sealed record AppConfig
{
    public const string DefaultAuthHeader = "X-Valet-Auth";
    public const double DefaultTimeoutSeconds = 30;

    public required string Name { get; init; }
    public string Description { get; init; } = "";
    public bool Authorize { get; init; }
    public string? AuthKey { get; init; }
    public string AuthHeader { get; init; } = DefaultAuthHeader;
    public bool RateLimit { get; init; }
    public long LimitValue { get; init; }
    public IReadOnlyList<EndpointConfig> Endpoints { get; init; } = [];

    /// <summary>Allowed HTTP methods, upper case; null means every method.</summary>
    public IReadOnlyList<string>? Methods { get; init; }

    /// <summary>Seconds one upstream attempt may take until response headers arrive.</summary>
    public double Timeout { get; init; } = DefaultTimeoutSeconds;

    public IReadOnlyList<MockConfig> Mocks { get; init; } = [];
}
