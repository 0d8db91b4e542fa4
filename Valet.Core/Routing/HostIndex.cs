using System.Collections.Frozen;

namespace Valet.Core.Routing;

/// <summary>
/// Host names of host-routed apps: exact names, and <c>*.suffix</c> wildcards that match exactly
/// one more label (as TLS wildcards do: <c>*.fn.example.com</c> matches <c>a.fn.example.com</c>,
/// not <c>fn.example.com</c> or <c>a.b.fn.example.com</c>). An exact name wins over a wildcard.
/// When two apps claim a name (a broken file keeping its last good config), the first by app name wins.
/// </summary>
internal sealed class HostIndex
{
    private readonly FrozenDictionary<string, AppModel>.AlternateLookup<ReadOnlySpan<char>> _exact;
    private readonly FrozenDictionary<string, AppModel>.AlternateLookup<ReadOnlySpan<char>> _wildcard;

    public HostIndex(IEnumerable<AppModel> apps)
    {
        var exact = new Dictionary<string, AppModel>(StringComparer.OrdinalIgnoreCase);
        var wildcard = new Dictionary<string, AppModel>(StringComparer.OrdinalIgnoreCase);
        foreach (var app in apps.OrderBy(a => a.Name, StringComparer.Ordinal))
        {
            foreach (var host in app.Config.Hosts)
            {
                if (host.StartsWith("*.", StringComparison.Ordinal)) wildcard.TryAdd(host[2..], app);
                else exact.TryAdd(host, app);
            }
        }

        Count = exact.Count + wildcard.Count;
        _exact = exact.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();
        _wildcard = wildcard.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int Count { get; }

    public bool TryMatch(ReadOnlySpan<char> host, out AppModel app)
    {
        if (host.EndsWith('.')) host = host[..^1];
        if (_exact.TryGetValue(host, out app!)) return true;
        var dot = host.IndexOf('.');
        return dot > 0 && _wildcard.TryGetValue(host[(dot + 1)..], out app!);
    }
}
