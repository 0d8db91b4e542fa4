using Valet.Core.Configuration;

namespace Valet.Daemon.Hosting;

/// <summary>
/// Whether the daemon should receive traffic: not before the first config load is applied, and not
/// once draining has begun. The shutdown path (SIGTERM) calls <see cref="MarkDraining"/> before it
/// waits for in-flight requests, so load balancers stop sending new ones first.
/// </summary>
public sealed class ReadinessState(ConfigManager config)
{
    private volatile bool _draining;

    public ReadinessStatus Status =>
        _draining ? ReadinessStatus.Draining
        : config.LastReport is null ? ReadinessStatus.Starting
        : ReadinessStatus.Ready;

    /// <summary>From now on <c>GET /ready</c> answers 503. There is no way back: draining ends in exit.</summary>
    public void MarkDraining() => _draining = true;
}
