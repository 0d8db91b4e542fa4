using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Valet.Core.Auth;

namespace Valet.Core.Configuration;

// The 'auth' object: public, apiKey, basic, jwt and oidc. Only files are read here (PEM keys);
// the OIDC discovery document is fetched when the app is compiled, never while parsing.
public static partial class AppConfigParser
{
    private static readonly string[] AuthFields =
        ["type", "realm", "users", "signingKeys", "authority", "issuer", "audience", "tokenHeader", "requiredClaims", "clockSkew", "subjectClaim"];
    private static readonly string[] UserFields = ["name", "password"];
    private static readonly string[] SigningKeyFields = ["kid", "publicKeyFile", "secret"];
    private static readonly string[] TokenFields = ["issuer", "audience", "tokenHeader", "requiredClaims", "clockSkew", "subjectClaim"];

    /// <summary>Seed fields that configure API-key auth, so they conflict with any other auth type.</summary>
    private static readonly string[] ApiKeyFields = ["authorize", "authKey", "keys", "authHeader"];

    /// <summary>The shortest HS256 secret accepted, in UTF-8 bytes (HMAC-SHA256 wants 256 bits).</summary>
    public const int MinJwtSecretBytes = 32;

    [GeneratedRegex(@"^[\x21-\x7E]{1,128}$")]
    private static partial Regex PrintablePattern();

    /// <summary>
    /// Reads <c>auth</c>. With <c>type: apiKey</c> the keys stay in the seed fields; with any other
    /// type the seed's API-key fields must be absent (or <c>authorize: false</c>).
    /// </summary>
    private static AuthConfig? ReadAuth(ValidationScope scope, JsonObjectReader app, string baseDirectory, bool? authorize)
    {
        if (!app.TryGet("auth", out var element)) return null;
        if (!JsonObjectReader.TryOpen(scope, element, "$.auth", "'auth'", AuthFields, out var auth)) return null;
        var typeName = auth.String("type", required: true);
        AuthType? type = typeName switch
        {
            "public" => AuthType.Public,
            "apiKey" => AuthType.ApiKey,
            "basic" => AuthType.Basic,
            "jwt" => AuthType.Jwt,
            "oidc" => AuthType.Oidc,
            null => null,
            _ => null,
        };
        if (typeName is not null && type is null)
        {
            scope.Error("$.auth.type", $"'type' is \"{typeName}\"; use \"public\", \"apiKey\", \"basic\", \"jwt\" or \"oidc\"");
        }

        if (type is not { } t) return null;
        CheckApplicable(scope, auth, t);
        if (t == AuthType.ApiKey)
        {
            if (authorize == false) scope.Error("$.authorize", "'authorize' is false but 'auth.type' is \"apiKey\"; remove 'authorize' (or set it to true)");
        }
        else
        {
            foreach (var field in ApiKeyFields)
            {
                if (!app.TryGet(field, out var value) || (field == "authorize" && value.ValueKind == JsonValueKind.False)) continue;
                scope.Error($"$.{field}", $"'{field}' configures API-key auth, but 'auth.type' is \"{typeName}\"; remove '{field}', or use \"type\": \"apiKey\"");
            }
        }

        var realm = auth.String("realm");
        if (realm is not null && (realm.Length is 0 or > 128 || realm.AsSpan().IndexOfAny("\"\\") >= 0 || !IsHeaderText(realm)))
        {
            scope.Error("$.auth.realm", "'realm' must be 1 to 128 printable ASCII characters, without quotes or backslashes (it is sent in WWW-Authenticate)");
        }

        var config = new AuthConfig { Type = t, Realm = realm };
        return t switch
        {
            AuthType.Basic => config with { Users = ReadUsers(scope, auth) },
            AuthType.Jwt => ReadTokenSettings(scope, auth, config with { SigningKeys = ReadSigningKeys(scope, auth, baseDirectory) }),
            AuthType.Oidc => ReadTokenSettings(scope, auth, config with { Authority = ReadAuthority(scope, auth) }),
            _ => config,
        };
    }

    private static void CheckApplicable(ValidationScope scope, JsonObjectReader auth, AuthType type)
    {
        foreach (var field in AuthFields)
        {
            if (field is "type" || !auth.TryGet(field, out _)) continue;
            var applies = field switch
            {
                "realm" => type is AuthType.Basic or AuthType.Jwt or AuthType.Oidc,
                "users" => type == AuthType.Basic,
                "signingKeys" => type == AuthType.Jwt,
                "authority" => type == AuthType.Oidc,
                _ => type is AuthType.Jwt or AuthType.Oidc && TokenFields.Contains(field),
            };
            if (!applies)
            {
                scope.Error($"$.auth.{field}", $"'{field}' does not apply to auth type \"{Name(type)}\"; remove it");
            }
        }
    }

    private static string Name(AuthType type) => type switch
    {
        AuthType.ApiKey => "apiKey",
        _ => type.ToString().ToLowerInvariant(),
    };

    private static List<BasicUserConfig> ReadUsers(ValidationScope scope, JsonObjectReader auth)
    {
        var users = new List<BasicUserConfig>();
        if (auth.TryGet("users", out _) && auth.Array("users") is null) return users;
        if (auth.Array("users") is not { } array || array.GetArrayLength() == 0)
        {
            scope.Error("$.auth", "basic auth needs 'users': [ { \"name\", \"password\" } ] with hashes from 'valet hash-password'");
            return users;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            var path = $"$.auth.users[{i++}]";
            if (!JsonObjectReader.TryOpen(scope, item, path, "a user", UserFields, out var user)) continue;
            var name = user.String("name", required: true);
            var password = user.String("password", required: true);
            var valid = name is not null && password is not null;
            if (name is not null && !ConsumerIdPattern().IsMatch(name))
            {
                scope.Error($"{path}.name", $"user 'name' is \"{name}\"; use 1 to 64 letters, digits, '.', '_', '@' or '-'");
                valid = false;
            }
            else if (name is not null && !names.Add(name))
            {
                scope.Error($"{path}.name", $"user \"{name}\" is listed twice");
                valid = false;
            }

            if (password is not null && !PasswordHash.TryParse(password, out _, out var error))
            {
                scope.Error($"{path}.password", error);
                valid = false;
            }

            if (valid) users.Add(new BasicUserConfig { Name = name!, PasswordHash = password! });
        }

        return users;
    }

    private static List<JwtKeyConfig> ReadSigningKeys(ValidationScope scope, JsonObjectReader auth, string baseDirectory)
    {
        var keys = new List<JwtKeyConfig>();
        if (auth.TryGet("signingKeys", out _) && auth.Array("signingKeys") is null) return keys;
        if (auth.Array("signingKeys") is not { } array || array.GetArrayLength() == 0)
        {
            scope.Error("$.auth", "jwt auth needs 'signingKeys': [ { \"publicKeyFile\": \"key.pem\" } or { \"secret\": \"...\" } ]");
            return keys;
        }

        var kids = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            var path = $"$.auth.signingKeys[{i++}]";
            if (!JsonObjectReader.TryOpen(scope, item, path, "a signing key", SigningKeyFields, out var key)) continue;
            var kid = key.String("kid");
            var file = key.String("publicKeyFile");
            var secret = key.String("secret");
            if (kid is not null && (!PrintablePattern().IsMatch(kid) || !kids.Add(kid)))
            {
                scope.Error($"{path}.kid", $"'kid' \"{kid}\" must be 1 to 128 printable characters, unique among the keys");
                continue;
            }

            if ((file is null) == (secret is null))
            {
                scope.Error(path, "a signing key has either 'publicKeyFile' (RS256/ES256) or 'secret' (HS256), exactly one of them");
                continue;
            }

            if (secret is not null)
            {
                if (Encoding.UTF8.GetByteCount(secret) < MinJwtSecretBytes)
                {
                    scope.Error($"{path}.secret", $"an HS256 'secret' must be at least {MinJwtSecretBytes} bytes long");
                    continue;
                }

                keys.Add(new JwtKeyConfig { KeyId = kid, Secret = secret, Algorithm = "HS256" });
                continue;
            }

            if (ReadPublicKey(scope, $"{path}.publicKeyFile", file!, baseDirectory) is { } read)
            {
                keys.Add(new JwtKeyConfig { KeyId = kid, PublicKeyFile = file, PublicKeyPem = read.Pem, Algorithm = read.Algorithm });
            }
        }

        return keys;
    }

    /// <summary>Reads a PEM public key (or certificate) and names its JWS algorithm; errors name the file and the reason.</summary>
    private static (string Pem, string Algorithm)? ReadPublicKey(ValidationScope scope, string path, string file, string baseDirectory)
    {
        if (ReadConfFile(scope, path, file, baseDirectory, "publicKeyFile") is not { } pem) return null;
        if (pem.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
        {
            scope.Error(path, $"'publicKeyFile' \"{file}\" holds a private key; give the public key only (e.g. `openssl pkey -pubout`)");
            return null;
        }

        try
        {
            if (pem.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
            {
                using var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(pem);
                pem = certificate.PublicKey.GetRSAPublicKey()?.ExportSubjectPublicKeyInfoPem()
                      ?? certificate.PublicKey.GetECDsaPublicKey()?.ExportSubjectPublicKeyInfoPem()
                      ?? throw new CryptographicException("the certificate's key is neither RSA nor EC");
            }

            if (IsEcKey(pem))
            {
                using var ec = ECDsa.Create();
                ec.ImportFromPem(pem);
                var algorithm = ec.KeySize switch
                {
                    256 => "ES256",
                    384 => "ES384",
                    _ => throw new CryptographicException($"EC keys must be on P-256 (ES256) or P-384 (ES384), not a {ec.KeySize}-bit curve"),
                };
                return (pem, algorithm);
            }

            using var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            if (rsa.KeySize < 2048) throw new CryptographicException($"RSA keys must have at least 2048 bits, not {rsa.KeySize}");
            return (pem, "RS256");
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            scope.Error(path, $"'publicKeyFile' \"{file}\" is not a usable PEM public key: {e.Message}");
            return null;
        }
    }

    private static bool IsEcKey(string pem)
    {
        try
        {
            using var ec = ECDsa.Create();
            ec.ImportFromPem(pem);
            return true;
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Reads a small text file named in the app file: relative to the conf folder, or absolute.</summary>
    private static string? ReadConfFile(ValidationScope scope, string path, string file, string baseDirectory, string field)
    {
        if (!IsPathName(scope, path, field, file)) return null;
        var full = System.IO.Path.GetFullPath(System.IO.Path.Combine(baseDirectory, file));
        try
        {
            var info = new FileInfo(full);
            if (!info.Exists)
            {
                scope.Error(path, $"'{field}' \"{file}\" does not exist (resolved to {full})");
                return null;
            }

            if (info.Length > 1024 * 1024)
            {
                scope.Error(path, $"'{field}' \"{file}\" is {info.Length} bytes; a PEM file has at most 1 MiB");
                return null;
            }

            return File.ReadAllText(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            scope.Error(path, $"cannot read '{field}' \"{file}\" (resolved to {full}): {e.Message}");
            return null;
        }
    }

    private static string? ReadAuthority(ValidationScope scope, JsonObjectReader auth)
    {
        var authority = auth.String("authority", required: true);
        if (authority is null) return null;
        if (!Uri.TryCreate(authority, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            scope.Error("$.auth.authority", $"'authority' is \"{authority}\"; give the provider's https:// URL (its discovery document is {{authority}}/.well-known/openid-configuration)");
            return null;
        }

        if (uri.Scheme == "http" && !IsLoopback(uri))
        {
            scope.Error("$.auth.authority", $"'authority' \"{authority}\" must use https; plain http is allowed only for a loopback provider (localhost, 127.0.0.1, ::1)");
            return null;
        }

        return authority;
    }

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.DnsSafeHost, out var ip) && IPAddress.IsLoopback(ip));

    private static AuthConfig ReadTokenSettings(ValidationScope scope, JsonObjectReader auth, AuthConfig config)
    {
        var issuer = auth.String("issuer");
        if (issuer is not null && issuer.Length == 0) scope.Error("$.auth.issuer", "'issuer' must not be empty; remove it to skip the check");

        List<string> audiences = [];
        if (auth.TryGet("audience", out var audience))
        {
            if (audience.ValueKind == JsonValueKind.String) audiences.Add(audience.GetString()!);
            else audiences = ReadStringList(scope, auth, "audience") ?? [];
            if (audiences.Count == 0 || audiences.Any(a => a.Length == 0)) scope.Error("$.auth.audience", "'audience' is a non-empty string or a list of them");
        }
        else if (config.Type == AuthType.Oidc)
        {
            scope.Error("$.auth", "oidc auth needs 'audience': the client id (or API identifier) tokens are issued for, since a provider signs tokens for many clients");
        }

        var header = auth.String("tokenHeader");
        if (header is not null && (!TokenPattern().IsMatch(header) || header.Equals("Authorization", StringComparison.OrdinalIgnoreCase)))
        {
            scope.Error("$.auth.tokenHeader", $"'tokenHeader' is \"{header}\"; give a header name other than Authorization (which is always read)");
        }

        var subject = auth.String("subjectClaim") ?? AuthConfig.DefaultSubjectClaim;
        if (subject.Length == 0) scope.Error("$.auth.subjectClaim", "'subjectClaim' must name a claim, e.g. \"sub\"");

        return config with
        {
            Issuer = issuer,
            Audiences = audiences,
            TokenHeader = header,
            RequiredClaims = ReadRequiredClaims(scope, auth),
            ClockSkewSeconds = (int)(auth.Integer("clockSkew", 0, 300) ?? AuthConfig.DefaultClockSkewSeconds),
            SubjectClaim = subject,
        };
    }

    private static Dictionary<string, IReadOnlyList<string>> ReadRequiredClaims(ValidationScope scope, JsonObjectReader auth)
    {
        var claims = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (!auth.TryGet("requiredClaims", out var element)) return claims;
        if (element.ValueKind != JsonValueKind.Object)
        {
            scope.Error("$.auth.requiredClaims", $"'requiredClaims' must be an object of claim names to a value or a list of values, not {JsonObjectReader.Describe(element)}");
            return claims;
        }

        foreach (var claim in element.EnumerateObject())
        {
            var path = $"$.auth.requiredClaims.{claim.Name}";
            switch (claim.Value.ValueKind)
            {
                case JsonValueKind.String:
                    claims[claim.Name] = [claim.Value.GetString()!];
                    break;
                case JsonValueKind.Array when claim.Value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String):
                    claims[claim.Name] = claim.Value.EnumerateArray().Select(v => v.GetString()!).ToArray();
                    break;
                default:
                    scope.Error(path, $"a required claim's value is a string or a list of strings ([] = any value), not {JsonObjectReader.Describe(claim.Value)}");
                    break;
            }
        }

        return claims;
    }
}
