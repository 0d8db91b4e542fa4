using Microsoft.AspNetCore.Http;

namespace Valet.Core.Routing;

/// <summary>What resolving a request to an app found.</summary>
public enum Resolution
{
    Found,

    /// <summary>No app segment and no host-routed app.</summary>
    NoApp,

    /// <summary>The app-relative path would escape the app.</summary>
    Escapes,

    /// <summary>The first path segment names no app.</summary>
    UnknownApp,
}

/// <summary>
/// Finds the app of a request: an app listing the request's Host in <c>hosts</c> gets the whole
/// path; then an app listing the first segment in <c>grpcServices</c> (<c>/pkg.Service/Method</c>)
/// gets the whole path; otherwise the first path segment names the app. A Host that no app lists falls back to
/// path routing.
/// </summary>
public static class AppResolver
{
    public static Resolution Resolve(RouteTable table, HostString host, string raw, out AppModel? app, out RequestTarget target)
    {
        if (table.HasHosts && host.HasValue && table.TryGetAppByHost(host.Host, out var byHost))
        {
            app = byHost;
            return Classify(RequestTarget.ParseWhole(raw, out target));
        }

        if (table.HasGrpcServices && table.TryGetAppByGrpcService(raw, out var byService))
        {
            app = byService;
            return Classify(RequestTarget.ParseWhole(raw, out target));
        }

        app = null;
        var kind = RequestTarget.Parse(raw, out target);
        if (kind != TargetKind.App) return Classify(kind);
        return table.TryGetApp(target.AppSegment, out app!) ? Resolution.Found : Resolution.UnknownApp;
    }

    private static Resolution Classify(TargetKind kind) => kind switch
    {
        TargetKind.App => Resolution.Found,
        TargetKind.Escapes => Resolution.Escapes,
        _ => Resolution.NoApp,
    };
}
