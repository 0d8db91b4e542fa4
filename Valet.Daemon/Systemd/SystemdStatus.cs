using Valet.Core.Configuration;

namespace Valet.Daemon.Systemd;

/// <summary>
/// Tells systemd where the daemon stands: READY=1 once it serves, RELOADING=1 then READY=1 around
/// every reload (SIGHUP, admin API), and a STATUS= line with the apps served and the last load.
/// </summary>
public sealed class SystemdStatus : IDisposable
{
    private readonly ConfigManager _config;
    private readonly SystemdNotifier _notifier;
    private readonly Func<string> _peers;
    private volatile bool _started;

    public SystemdStatus(ConfigManager config, SystemdNotifier notifier, Func<string>? peers = null)
    {
        _config = config;
        _notifier = notifier;
        _peers = peers ?? (() => "no peers");
        config.Reloading += OnReloading;
        config.Loaded += OnLoaded;
    }

    /// <summary>The daemon is serving: listeners bound, apps loaded, peers caught up.</summary>
    public void Started()
    {
        _started = true;
        _notifier.Ready(Describe());
    }

    /// <summary>The STATUS= text, e.g. <c>3 apps; no peers; last load ok: 3 unchanged</c>.</summary>
    public string Describe() =>
        $"{_config.Current.Count} apps; {_peers()}; last load {_config.LastReport?.Summary() ?? "pending"}";

    private void OnReloading()
    {
        if (_started) _notifier.Reloading();
    }

    private void OnLoaded(LoadReport report)
    {
        if (_started) _notifier.Ready(Describe());
    }

    public void Dispose()
    {
        _config.Reloading -= OnReloading;
        _config.Loaded -= OnLoaded;
    }
}
