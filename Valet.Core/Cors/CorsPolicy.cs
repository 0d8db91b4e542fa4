using System.Collections.Frozen;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Valet.Core.Configuration;

namespace Valet.Core.Cors;

/// <summary>
/// The compiled CORS settings of an app. Preflights (<c>OPTIONS</c> with <c>Origin</c> and
/// <c>Access-Control-Request-Method</c>) are answered here; real answers to an allowed origin get
/// <c>Access-Control-Allow-Origin</c> and the exposed headers, which always include the rate-limit
/// and request-id headers so browser code can read them.
/// </summary>
public sealed class CorsPolicy
{
    /// <summary>Headers a browser script may always read from Valet's answers.</summary>
    public static readonly string[] DefaultExposed =
        ["X-Ratelimit-Used", "X-Ratelimit-Remaining", "X-Ratelimit-Reset", "RateLimit", "RateLimit-Policy", "Retry-After", "X-Request-Id"];

    private static readonly string[] UsualMethods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

    private readonly bool _anyOrigin;
    private readonly FrozenSet<string> _origins;
    private readonly FrozenSet<string> _methods;
    private readonly FrozenSet<string>? _headers;

    public CorsPolicy(CorsConfig config, IReadOnlyList<string>? appMethods)
    {
        _anyOrigin = config.Origins.Contains("*");
        _origins = config.Origins.Where(o => o != "*").ToFrozenSet(StringComparer.OrdinalIgnoreCase);
        var methods = config.Methods ?? appMethods ?? UsualMethods;
        _methods = methods.ToFrozenSet(StringComparer.Ordinal);
        AllowMethods = string.Join(", ", methods);
        _headers = config.Headers?.ToFrozenSet(StringComparer.OrdinalIgnoreCase);
        AllowHeaders = config.Headers is null ? null : string.Join(", ", config.Headers);
        ExposeHeaders = string.Join(", ", DefaultExposed.Concat(config.ExposeHeaders).Distinct(StringComparer.OrdinalIgnoreCase));
        Credentials = config.Credentials;
        MaxAge = config.MaxAge.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public string AllowMethods { get; }

    /// <summary>Allowed request headers; null means the ones the browser asks for.</summary>
    public string? AllowHeaders { get; }

    public string ExposeHeaders { get; }

    public bool Credentials { get; }

    public string MaxAge { get; }

    public static bool IsPreflight(HttpRequest request) =>
        HttpMethods.IsOptions(request.Method)
        && request.Headers.Origin.Count > 0
        && request.Headers.AccessControlRequestMethod.Count > 0;

    public bool AllowsOrigin(string origin) => _anyOrigin || _origins.Contains(origin);

    /// <summary>Answers a preflight. Returns false (nothing written) when the origin, method or headers are not allowed.</summary>
    public bool TryAnswerPreflight(HttpContext context)
    {
        var request = context.Request;
        var origin = request.Headers.Origin.ToString();
        if (!AllowsOrigin(origin)) return false;
        var method = request.Headers.AccessControlRequestMethod.ToString();
        if (!_methods.Contains(method)) return false;
        var requested = request.Headers.AccessControlRequestHeaders;
        if (_headers is not null && !AllRequestedAllowed(requested)) return false;

        var response = context.Response;
        response.StatusCode = StatusCodes.Status204NoContent;
        var headers = response.Headers;
        SetOrigin(headers, origin);
        headers.AccessControlAllowMethods = AllowMethods;
        if (AllowHeaders is not null) headers.AccessControlAllowHeaders = AllowHeaders;
        else if (requested.Count > 0) headers.AccessControlAllowHeaders = requested;
        headers.AccessControlMaxAge = MaxAge;
        headers.Vary = new StringValues(["Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"]);
        return true;
    }

    /// <summary>Adds the CORS headers of a real answer when the request comes from an allowed origin.</summary>
    public void ApplyToResponse(HttpContext context)
    {
        var origins = context.Request.Headers.Origin;
        if (origins.Count != 1) return;
        var origin = origins[0]!;
        var headers = context.Response.Headers;
        headers.Vary = "Origin";
        if (!AllowsOrigin(origin)) return;
        SetOrigin(headers, origin);
        headers.AccessControlExposeHeaders = ExposeHeaders;
    }

    private void SetOrigin(IHeaderDictionary headers, string origin)
    {
        // With credentials a browser refuses '*', so the origin is echoed.
        headers.AccessControlAllowOrigin = _anyOrigin && !Credentials ? "*" : origin;
        if (Credentials) headers.AccessControlAllowCredentials = "true";
    }

    private bool AllRequestedAllowed(StringValues requested)
    {
        foreach (var value in requested)
        {
            if (value is null) continue;
            foreach (var name in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (!_headers!.Contains(name)) return false;
            }
        }

        return true;
    }
}
