using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Valet.Daemon.Tests.Infrastructure;

/// <summary>Signing keys made in the test, and tokens signed with them.</summary>
public static class TestTokens
{
    private static readonly JsonWebTokenHandler Handler = new();

    public static RsaSecurityKey NewRsaKey(string kid) => new(RSA.Create(2048)) { KeyId = kid };

    public static string PublicPem(RsaSecurityKey key) => key.Rsa.ExportSubjectPublicKeyInfoPem();

    /// <summary>A token with <c>sub</c>, the given claims and lifetime (default: valid for an hour).</summary>
    public static string Create(SecurityKey key, string algorithm, string? issuer = null, string? audience = null, string sub = "alice",
        IDictionary<string, object>? claims = null, DateTime? notBefore = null, DateTime? expires = null)
    {
        var now = DateTime.UtcNow;
        var descriptor = new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity([new Claim("sub", sub)]),
            Issuer = issuer,
            Audience = audience,
            Claims = claims,
            IssuedAt = notBefore ?? now.AddMinutes(-1),
            NotBefore = notBefore ?? now.AddMinutes(-1),
            Expires = expires ?? now.AddHours(1),
            SigningCredentials = new SigningCredentials(key, algorithm),
        };
        return Handler.CreateToken(descriptor);
    }

    /// <summary>An unsigned token (<c>alg: none</c>) that would otherwise be accepted.</summary>
    public static string Unsigned(string? issuer = null, string? audience = null, string sub = "alice")
    {
        var exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        var payload = $"{{\"sub\":\"{sub}\",\"exp\":{exp}" + (issuer is null ? "" : $",\"iss\":\"{issuer}\"") + (audience is null ? "" : $",\"aud\":\"{audience}\"") + "}";
        return Base64UrlEncoder.Encode("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + Base64UrlEncoder.Encode(payload) + ".";
    }

    public static SymmetricSecurityKey Secret(string secret) => new(Encoding.UTF8.GetBytes(secret));
}
