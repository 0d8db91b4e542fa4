namespace Valet.Core.Configuration;

/// <summary>
/// One key a JWT may be signed with: a PEM public key (RSA → RS256, EC P-256 → ES256) read from
/// <c>publicKeyFile</c>, or a shared <c>secret</c> (HS256).
/// </summary>
public sealed record JwtKeyConfig
{
    /// <summary>The <c>kid</c> tokens name this key with; null = tried for any token.</summary>
    public string? KeyId { get; init; }

    /// <summary>The file as written in the app file (relative to the conf folder, or absolute).</summary>
    public string? PublicKeyFile { get; init; }

    /// <summary>The PEM text of the public key, read when the file was parsed.</summary>
    public string? PublicKeyPem { get; init; }

    /// <summary>The HS256 secret (UTF-8, at least 32 bytes).</summary>
    public string? Secret { get; init; }

    /// <summary>RS256, ES256, ES384 or HS256, from the key's kind.</summary>
    public required string Algorithm { get; init; }
}
