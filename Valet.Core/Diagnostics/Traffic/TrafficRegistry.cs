using System.Collections.Concurrent;

namespace Valet.Core.Diagnostics.Traffic;

/// <summary>
/// Per-app, per-consumer traffic since start, outside the config snapshot: keyed by app name, so
/// figures survive reloads (and an app removed and added again goes on counting). Requests that
/// named no served app count under <see cref="Unknown"/>, so a client cannot grow the table by
/// inventing app names.
/// </summary>
public sealed class TrafficRegistry
{
    private readonly ConcurrentDictionary<string, AppTraffic> _apps = new(StringComparer.Ordinal);

    /// <summary>The entry of requests that named no served app (app label <c>-</c>).</summary>
    public AppTraffic Unknown { get; } = new(AppTraffic.NoApp);

    /// <summary>The app's entry, created on first use. Only call with served app names.</summary>
    public AppTraffic App(string name) => _apps.TryGetValue(name, out var app) ? app : _apps.GetOrAdd(name, static n => new AppTraffic(n));

    /// <summary>The app's entry, or null when the app had no traffic since start.</summary>
    public AppTraffic? Find(string name) => _apps.GetValueOrDefault(name);
}
