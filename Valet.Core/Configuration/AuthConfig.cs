namespace Valet.Core.Configuration;

/// <summary>
/// The <c>auth</c> object of an app: which kind of authentication, and its settings. API-key
/// auth keeps its keys in the seed fields (<c>authKey</c>, <c>keys</c>, <c>authHeader</c>).
/// </summary>
public sealed record AuthConfig
{
    public const int DefaultClockSkewSeconds = 30;
    public const string DefaultSubjectClaim = "sub";

    public required AuthType Type { get; init; }

    /// <summary>The realm named in <c>WWW-Authenticate</c>; null = the app's name.</summary>
    public string? Realm { get; init; }

    /// <summary>Basic: the users and their password hashes.</summary>
    public IReadOnlyList<BasicUserConfig> Users { get; init; } = [];

    /// <summary>Jwt: the keys tokens may be signed with.</summary>
    public IReadOnlyList<JwtKeyConfig> SigningKeys { get; init; } = [];

    /// <summary>Oidc: the provider's base URL (its discovery document is under <c>/.well-known/openid-configuration</c>).</summary>
    public string? Authority { get; init; }

    /// <summary>Jwt/oidc: the required <c>iss</c>; null = not checked (jwt) or the provider's (oidc).</summary>
    public string? Issuer { get; init; }

    /// <summary>Jwt/oidc: accepted <c>aud</c> values; empty = not checked (jwt only).</summary>
    public IReadOnlyList<string> Audiences { get; init; } = [];

    /// <summary>Jwt/oidc: a header that may carry the token instead of <c>Authorization: Bearer</c>.</summary>
    public string? TokenHeader { get; init; }

    /// <summary>Jwt/oidc: claims a token must carry; an empty list of values means any value.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> RequiredClaims { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>Jwt/oidc: tolerance on <c>exp</c> and <c>nbf</c>.</summary>
    public int ClockSkewSeconds { get; init; } = DefaultClockSkewSeconds;

    /// <summary>Jwt/oidc: the claim that names the caller (sent as <c>X-Valet-Consumer</c>).</summary>
    public string SubjectClaim { get; init; } = DefaultSubjectClaim;
}
