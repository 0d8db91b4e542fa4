using System.Collections.Frozen;

namespace Valet.Core.Routing;

/// <summary>
/// An immutable snapshot of every app the gateway serves. A request reads the current table once;
/// a reload builds a new table and swaps it in, so in-flight requests finish on the config they
/// started with.
/// </summary>
public sealed class RouteTable
{
    public static readonly RouteTable Empty = new([]);

    private readonly FrozenDictionary<string, AppModel> _apps;
    private readonly FrozenDictionary<string, AppModel>.AlternateLookup<ReadOnlySpan<char>> _bySpan;

    private readonly HostIndex _hosts;
    private readonly FrozenDictionary<string, AppModel>.AlternateLookup<ReadOnlySpan<char>> _byGrpcService;

    public RouteTable(IEnumerable<AppModel> apps)
    {
        _apps = apps.ToFrozenDictionary(a => a.Name, StringComparer.Ordinal);
        _bySpan = _apps.GetAlternateLookup<ReadOnlySpan<char>>();
        _hosts = new HostIndex(_apps.Values);
        // When two apps claim a service (a broken file keeping its last good config), the first by app name wins.
        var services = new Dictionary<string, AppModel>(StringComparer.Ordinal);
        foreach (var app in _apps.Values.OrderBy(a => a.Name, StringComparer.Ordinal))
        {
            foreach (var service in app.Config.GrpcServices) services.TryAdd(service, app);
        }

        HasGrpcServices = services.Count > 0;
        _byGrpcService = services.ToFrozenDictionary(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Whether any app lists <c>grpcServices</c>.</summary>
    public bool HasGrpcServices { get; }

    /// <summary>
    /// The app whose <c>grpcServices</c> lists the first segment of <paramref name="raw"/> when a
    /// method follows it: <c>/pkg.Service/Method</c>.
    /// </summary>
    public bool TryGetAppByGrpcService(string raw, out AppModel app)
    {
        app = null!;
        if (raw.Length < 4 || raw[0] != '/') return false;
        var end = raw.IndexOf('/', 1);
        return end > 1 && _byGrpcService.TryGetValue(raw.AsSpan(1, end - 1), out app!);
    }

    /// <summary>Whether any app is routed by host name.</summary>
    public bool HasHosts => _hosts.Count > 0;

    /// <summary>The app that <paramref name="host"/> (a Host header's name, without port) routes to.</summary>
    public bool TryGetAppByHost(ReadOnlySpan<char> host, out AppModel app) => _hosts.TryMatch(host, out app);

    public IReadOnlyCollection<AppModel> Apps => _apps.Values;

    public int Count => _apps.Count;

    public bool TryGetApp(ReadOnlySpan<char> name, out AppModel app) => _bySpan.TryGetValue(name, out app!);

    public bool TryGetApp(string name, out AppModel app) => _apps.TryGetValue(name, out app!);
}
