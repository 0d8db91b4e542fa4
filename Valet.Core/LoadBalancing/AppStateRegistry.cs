using System.Collections.Concurrent;

namespace Valet.Core.LoadBalancing;

/// <summary>Holds every app's <see cref="AppState"/> by name, outside the config snapshot.</summary>
public sealed class AppStateRegistry
{
    private readonly ConcurrentDictionary<string, AppState> _apps = new(StringComparer.Ordinal);

    public AppState GetOrCreate(string app) => _apps.GetOrAdd(app, static name => new AppState(name));

    public bool TryGet(string app, out AppState? state) => _apps.TryGetValue(app, out state);

    /// <summary>
    /// Forgets an app that was removed. Its pooled connections are left to close on their idle
    /// timeout, so requests still in flight on the old snapshot finish normally.
    /// </summary>
    public void Remove(string app) => _apps.TryRemove(app, out _);
}
