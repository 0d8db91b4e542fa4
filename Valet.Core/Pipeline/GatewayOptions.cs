namespace Valet.Core.Pipeline;

/// <summary>Daemon-wide settings of the request path.</summary>
public sealed class GatewayOptions
{
    /// <summary>How long an endpoint is skipped after a connect failure or a timeout.</summary>
    public TimeSpan HealthCooldown { get; init; } = TimeSpan.FromSeconds(10);
}
