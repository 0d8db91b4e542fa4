namespace Valet.Core.Configuration;

/// <summary>
/// Cross-origin settings of an app (<c>cors</c>). Preflights are answered by Valet, never
/// authenticated or counted; real answers get <c>Access-Control-*</c> headers.
/// </summary>
public sealed record CorsConfig
{
    public const int DefaultMaxAgeSeconds = 600;

    /// <summary>Allowed origins (<c>https://app.example</c>), or <c>*</c> for any.</summary>
    public IReadOnlyList<string> Origins { get; init; } = [];

    /// <summary>Methods a preflight may ask for; null = the app's <c>methods</c>, or the usual set.</summary>
    public IReadOnlyList<string>? Methods { get; init; }

    /// <summary>Request headers a preflight may ask for; null = whatever the browser asks for.</summary>
    public IReadOnlyList<string>? Headers { get; init; }

    /// <summary>Response headers scripts may read, on top of the rate-limit and request-id headers.</summary>
    public IReadOnlyList<string> ExposeHeaders { get; init; } = [];

    public bool Credentials { get; init; }

    public int MaxAge { get; init; } = DefaultMaxAgeSeconds;
}
