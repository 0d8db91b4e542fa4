using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace Valet.Daemon.Admin;

/// <summary>
/// The dashboard (<c>GET /ui</c>): one static page, its script, style sheet and icon, embedded in
/// the daemon (Admin/Ui/). They hold no data and no secret, so they are served without the admin
/// token; everything the page shows it fetches from the token-protected admin API with
/// <c>Authorization: Bearer</c>. Every answer carries a Content-Security-Policy that allows this
/// origin's own script and style only (no inline code, no other origin, no framing).
/// </summary>
public static class DashboardAssets
{
    /// <summary>The page's path; <c>/ui/</c> serves it too.</summary>
    public const string PagePath = "/ui";

    /// <summary>
    /// Same-origin script, style, fetches and images only; nothing inline, no plugins, no base or
    /// form targets, and no page may frame the dashboard.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private sealed record Asset(byte[] Bytes, string ContentType, string ETag);

    private static readonly FrozenDictionary<string, Asset> Assets = Load();

    /// <summary>Whether <paramref name="path"/> (the raw path) is one of the dashboard's.</summary>
    public static bool Owns(string path) => Assets.ContainsKey(path);

    /// <summary>Serves the asset at <paramref name="path"/> (GET or HEAD; the caller checked both).</summary>
    public static Task WriteAsync(HttpContext context, string path)
    {
        var asset = Assets[path];
        var response = context.Response;
        var headers = response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Cross-Origin-Resource-Policy"] = "same-origin";
        // Revalidated on every load, so a new daemon version's page is never mixed with an old script.
        headers.CacheControl = "no-cache";
        headers.ETag = asset.ETag;
        if (context.Request.Headers.IfNoneMatch.ToString().Split(',').Any(tag => tag.Trim() == asset.ETag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = asset.ContentType;
        response.ContentLength = asset.Bytes.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(asset.Bytes).AsTask();
    }

    private static FrozenDictionary<string, Asset> Load()
    {
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        var page = Read("dashboard.html", "text/html; charset=utf-8");
        assets[PagePath] = page;
        assets[PagePath + "/"] = page;
        assets[PagePath + "/dashboard.js"] = Read("dashboard.js", "text/javascript; charset=utf-8");
        assets[PagePath + "/dashboard.css"] = Read("dashboard.css", "text/css; charset=utf-8");
        assets[PagePath + "/favicon.svg"] = Read("favicon.svg", "image/svg+xml");
        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static Asset Read(string name, string contentType)
    {
        var assembly = typeof(DashboardAssets).Assembly;
        using var stream = assembly.GetManifestResourceStream("Valet.Daemon.Admin.Ui." + name)
            ?? throw new InvalidOperationException($"the dashboard asset {name} is not embedded in {assembly.GetName().Name}");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        var bytes = copy.ToArray();
        var tag = "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes).AsSpan(0, 8)) + "\"";
        return new Asset(bytes, contentType, tag);
    }
}
