using System.Collections.Frozen;
using Valet.Core.Configuration;

namespace Valet.Core.Routing;

/// <summary>The compiled view of one route: its path prefix, methods and endpoints.</summary>
public sealed class RouteModel(RouteConfig config, EndpointModel[] endpoints)
{
    public RouteConfig Config { get; } = config;

    public string Id => Config.Id;

    /// <summary>Path prefix without a trailing '/' ("/" matches every path).</summary>
    public string Prefix { get; } = config.Path;

    /// <summary>Upper-case methods, or null for any.</summary>
    public FrozenSet<string>? Methods { get; } = config.Methods?.ToFrozenSet(StringComparer.Ordinal);

    public EndpointModel[] Endpoints { get; } = endpoints;

    /// <summary>Whether <paramref name="path"/> (app-relative, as sent) is the prefix or below it, on a segment boundary.</summary>
    public bool MatchesPath(ReadOnlySpan<char> path) =>
        Prefix.Length == 1
        || (path.StartsWith(Prefix, StringComparison.Ordinal) && (path.Length == Prefix.Length || path[Prefix.Length] == '/'));

    public bool AllowsMethod(string method) => Methods is null || Methods.Contains(method);

    /// <summary>The part of <paramref name="path"/> after the prefix, which follows the endpoint's own path.</summary>
    public ReadOnlySpan<char> Rest(ReadOnlySpan<char> path) => Prefix.Length == 1 ? path : path[Prefix.Length..];
}
