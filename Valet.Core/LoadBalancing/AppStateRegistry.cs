using System.Collections.Concurrent;
using System.Net.Security;

namespace Valet.Core.LoadBalancing;

/// <summary>Holds every app's <see cref="AppState"/> by name, outside the config snapshot.</summary>
/// <param name="certificateValidation">How every app checks its endpoints' certificates; null = the system's trust store.</param>
public sealed class AppStateRegistry(RemoteCertificateValidationCallback? certificateValidation = null)
{
    private readonly ConcurrentDictionary<string, AppState> _apps = new(StringComparer.Ordinal);

    public AppState GetOrCreate(string app) => _apps.GetOrAdd(app, static (name, validation) => new AppState(name, validation), certificateValidation);

    public bool TryGet(string app, out AppState? state) => _apps.TryGetValue(app, out state);

    /// <summary>
    /// Forgets an app that was removed. Its pooled connections are left to close on their idle
    /// timeout, so requests still in flight on the old snapshot finish normally.
    /// </summary>
    public void Remove(string app) => _apps.TryRemove(app, out _);
}
