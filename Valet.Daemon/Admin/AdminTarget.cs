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
    public const string RouteList = "GET /apis, GET|PUT|DELETE /apis/{name}, GET /apis/{name}/consumers, POST /reload, GET /peers, GET /metrics, GET /health, GET /ready, GET /ui (the dashboard)";

    /// <summary>The raw path, without the query.</summary>
    public static string RawPath(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw) || raw[0] != '/') raw = context.Request.Path.Value ?? "/";
        var query = raw.IndexOf('?');
        return query < 0 ? raw : raw[..query];
    }

    /// <summary>The route of <paramref name="path"/>; for <see cref="AdminRoute.App"/>, everything after <c>/apis/</c> (for <see cref="AdminRoute.Consumers"/>, the name segment).</summary>
    public static AdminRoute Route(string path, out string nameSegment)
    {
        nameSegment = "";
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

        return AdminRoute.App;
    }

    /// <summary>The methods a route accepts, in the order the <c>Allow</c> header lists them.</summary>
    public static string[] Allow(AdminRoute route) => route switch
    {
        AdminRoute.App => ["GET", "HEAD", "PUT", "DELETE"],
        AdminRoute.Reload => ["POST"],
        _ => ["GET", "HEAD"],
    };

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
