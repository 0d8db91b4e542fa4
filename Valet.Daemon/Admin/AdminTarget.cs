using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Valet.Core.Configuration;

namespace Valet.Daemon.Admin;

/// <summary>
/// Reads the admin route and app name from the request target exactly as the client sent it:
/// no dot-segment removal and no decoding before the checks, so <c>/apis/..</c>, <c>/apis/%2e%2e</c>
/// and <c>/apis/a%2Fb</c> are seen for what they are.
/// </summary>
public static class AdminTarget
{
    /// <summary>Every route with its methods, for 404 and 405 answers.</summary>
    public const string RouteList = "GET /apis, GET|PUT|DELETE /apis/{name}, GET /apis/{name}/consumers, GET|PUT|DELETE /apis/{name}/routes/{id}, POST /reload, GET /peers, GET /metrics, GET /health, GET /ready, GET /ui (the dashboard)";

    /// <summary>The raw path, without the query.</summary>
    public static string RawPath(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw) || raw[0] != '/') raw = context.Request.Path.Value ?? "/";
        var query = raw.IndexOf('?');
        return query < 0 ? raw : raw[..query];
    }

    /// <summary>
    /// The route of <paramref name="path"/>; for <see cref="AdminRoute.App"/>, everything after <c>/apis/</c>;
    /// for <see cref="AdminRoute.Consumers"/>, the name segment; for <see cref="AdminRoute.AppRoute"/>, the app segment and the route id segment.
    /// </summary>
    public static AdminRoute Route(string path, out string nameSegment) => Route(path, out nameSegment, out _);

    /// <inheritdoc cref="Route(string, out string)"/>
    public static AdminRoute Route(string path, out string nameSegment, out string routeSegment)
    {
        nameSegment = "";
        routeSegment = "";
        switch (path)
        {
            case "/health": return AdminRoute.Health;
            case "/ready": return AdminRoute.Ready;
            case "/apis": return AdminRoute.Apis;
            case "/reload": return AdminRoute.Reload;
            case "/peers": return AdminRoute.Peers;
            case "/metrics": return AdminRoute.Metrics;
        }

        if (!path.StartsWith("/apis/", StringComparison.Ordinal)) return AdminRoute.Unknown;
        nameSegment = path["/apis/".Length..];
        const string consumers = "/consumers";
        if (nameSegment.EndsWith(consumers, StringComparison.Ordinal) && nameSegment.Length > consumers.Length
            && nameSegment.IndexOf('/') == nameSegment.Length - consumers.Length)
        {
            nameSegment = nameSegment[..^consumers.Length];
            return AdminRoute.Consumers;
        }

        var routes = nameSegment.IndexOf("/routes/", StringComparison.Ordinal);
        if (routes > 0 && nameSegment.IndexOf('/') == routes)
        {
            routeSegment = nameSegment[(routes + "/routes/".Length)..];
            nameSegment = nameSegment[..routes];
            return AdminRoute.AppRoute;
        }

        return AdminRoute.App;
    }

    /// <summary>The methods a route accepts, in the order the <c>Allow</c> header lists them.</summary>
    public static string[] Allow(AdminRoute route) => route switch
    {
        AdminRoute.App or AdminRoute.AppRoute => ["GET", "HEAD", "PUT", "DELETE"],
        AdminRoute.Reload => ["POST"],
        _ => ["GET", "HEAD"],
    };

    /// <summary>Decodes a route id segment and checks it with the validator's rule for route ids (the app name rule).</summary>
    public static bool TryRouteId(string segment, out string id, out string error)
    {
        id = Uri.UnescapeDataString(segment);
        error = "";
        if (id.Length == 0) error = "the route id is missing: /apis/{name}/routes/{id}";
        else if (segment.Contains('/') || !AppConfigParser.IsValidName(id))
        {
            error = $"'{segment}' is not a route id: use 1 to 63 lower-case letters, digits, '-' or '_', starting with a letter or digit";
        }

        return error.Length == 0;
    }

    /// <summary>Decodes the name segment and checks it with the validator's own name rule.</summary>
    public static bool TryName(string segment, out string name, out string error)
    {
        name = Uri.UnescapeDataString(segment);
        error = "";
        if (name.Length == 0)
        {
            error = "the app name is missing: /apis/{name}";
        }
        else if (segment.Contains('/') || name.Contains('/') || name.Contains('\\'))
        {
            error = $"'{segment}' is not an app name: a name cannot contain '/' or '\\'";
        }
        else if (name is "." or "..")
        {
            error = $"'{segment}' is not an app name: '.' and '..' are not allowed";
        }
        else if (!AppConfigParser.IsValidName(name))
        {
            error = $"'{segment}' is not an app name: use 1 to 63 lower-case letters, digits, '-' or '_', starting with a letter or digit";
        }

        return error.Length == 0;
    }
}
