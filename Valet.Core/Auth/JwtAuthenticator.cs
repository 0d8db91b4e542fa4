using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using Valet.Core.Configuration;

namespace Valet.Core.Auth;

/// <summary>
/// Bearer-token authentication for <c>jwt</c> (keys from the app file) and <c>oidc</c> (keys from
/// the provider's JWKS, see <see cref="OidcMetadata"/>). The token comes from
/// <c>Authorization: Bearer</c> or the configured <c>tokenHeader</c>; it must be signed with an
/// accepted algorithm (never <c>none</c>), unexpired within the clock skew, and match
/// <c>issuer</c> and <c>audience</c> when set; otherwise 401. A valid token lacking a required
/// claim gets 403. The subject claim becomes the consumer id.
/// </summary>
public sealed class JwtAuthenticator : IAuthenticator
{
    private static readonly JsonWebTokenHandler Handler;

    /// <summary>Algorithms accepted from an OIDC provider: asymmetric only, so a public key can never act as an HMAC secret.</summary>
    private static readonly string[] OidcAlgorithms = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"];

    private readonly AuthConfig _auth;
    private readonly TokenValidationParameters? _static;
    private readonly OidcMetadata? _oidc;
    private readonly string _missingDetail;

    static JwtAuthenticator()
    {
        // IdentityModel 8 refreshes OIDC keys in the background by default, so the request whose
        // unknown kid asked for a refresh would still see the old keys. In blocking mode that
        // request awaits the new keys (the manager still fetches once at a time). IdentityModel
        // reads the switch once, on first use, so it is also set in the runtimeconfig of the
        // daemon and the tests (RuntimeHostConfigurationOption); this covers other hosts.
        AppContext.SetSwitch(OidcMetadata.BlockingRefreshSwitch, true);
        Handler = new JsonWebTokenHandler { MapInboundClaims = false };
    }

    public JwtAuthenticator(AppConfig config, AuthConfig auth)
    {
        _auth = auth;
        Type = auth.Type == AuthType.Oidc ? "oidc" : "jwt";
        var realm = auth.Realm ?? config.Name;
        Challenge = $"Bearer realm=\"{realm}\"";
        InvalidChallenge = $"Bearer realm=\"{realm}\", error=\"invalid_token\"";
        ForbiddenChallenge = $"Bearer realm=\"{realm}\", error=\"insufficient_scope\"";
        _missingDetail = auth.TokenHeader is null
            ? "send a bearer token (Authorization: Bearer <token>)"
            : $"send a bearer token (Authorization: Bearer <token>, or the {auth.TokenHeader} header)";
        if (auth.Type == AuthType.Oidc)
        {
            _oidc = new OidcMetadata(auth.Authority!, Build);
        }
        else
        {
            var parameters = Parameters(auth.Issuer);
            parameters.IssuerSigningKeys = auth.SigningKeys.Select(CreateKey).ToArray();
            parameters.ValidAlgorithms = auth.SigningKeys.Select(k => k.Algorithm).Distinct().ToArray();
            _static = parameters;
        }
    }

    public string Type { get; }

    public string Challenge { get; }

    private string InvalidChallenge { get; }

    private string ForbiddenChallenge { get; }

    public IReadOnlyList<string> ConsumerIds => [];

    public AuthStatus Status => _oidc?.Status ?? AuthStatus.IsReady;

    public Task WarmUp => _oidc?.WarmUp ?? Task.CompletedTask;

    public bool IsCredentialHeader(string name) =>
        string.Equals(name, "Authorization", StringComparison.OrdinalIgnoreCase)
        || (_auth.TokenHeader is not null && string.Equals(name, _auth.TokenHeader, StringComparison.OrdinalIgnoreCase));

    public async ValueTask<AuthResult> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        // 1. Find the token: Authorization: Bearer first, then the configured header.
        var token = FindToken(request, out var problem);
        if (token is null) return problem;

        // 2. The keys: the app file's, or the provider's current ones.
        var parameters = _static ?? await _oidc!.GetAsync(cancellationToken).ConfigureAwait(false);
        if (parameters is null)
        {
            return new AuthResult(AuthOutcome.Unavailable, null, _oidc!.Status.Problem ?? "the identity provider cannot be reached");
        }

        // 3. Validate; a kid the cached JWKS does not know asks the provider once for new keys.
        var result = await Handler.ValidateTokenAsync(token, parameters).ConfigureAwait(false);
        if (!result.IsValid && _oidc is not null && result.Exception is SecurityTokenSignatureKeyNotFoundException)
        {
            var refreshed = await _oidc.RefreshAsync(cancellationToken).ConfigureAwait(false);
            if (refreshed is not null && !ReferenceEquals(refreshed, parameters))
            {
                result = await Handler.ValidateTokenAsync(token, refreshed).ConfigureAwait(false);
            }
        }

        if (!result.IsValid) return new AuthResult(AuthOutcome.Invalid, null, Describe(result.Exception), InvalidChallenge);

        // 4. Required claims (403), then the subject.
        foreach (var (claim, accepted) in _auth.RequiredClaims)
        {
            if (!HasClaim(result, claim, accepted))
            {
                return new AuthResult(AuthOutcome.Forbidden, null,
                    accepted.Count == 0 ? $"the token lacks the claim '{claim}'" : $"the token's claim '{claim}' does not have an accepted value",
                    ForbiddenChallenge);
            }
        }

        if (!result.Claims.TryGetValue(_auth.SubjectClaim, out var subject) || subject is not string id || !IsUsableId(id))
        {
            return new AuthResult(AuthOutcome.Forbidden, null, $"the token has no usable '{_auth.SubjectClaim}' claim (1 to 256 printable characters) to name the caller", ForbiddenChallenge);
        }

        return AuthResult.Authenticated(new Consumer(id, null));
    }

    private string? FindToken(HttpRequest request, out AuthResult problem)
    {
        problem = default;
        var authorization = request.Headers.Authorization;
        if (authorization.Count > 1)
        {
            problem = new AuthResult(AuthOutcome.Invalid, null, "send one Authorization header", InvalidChallenge);
            return null;
        }

        if (authorization.Count == 1 && !string.IsNullOrEmpty(authorization[0]))
        {
            var value = authorization[0]!;
            if (value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && value.Length > 7) return value[7..].Trim();
            problem = new AuthResult(AuthOutcome.Invalid, null, "the Authorization header must be 'Bearer <token>'", InvalidChallenge);
            return null;
        }

        if (_auth.TokenHeader is { } header && request.Headers[header] is { Count: > 0 } custom)
        {
            var value = custom[0];
            if (custom.Count == 1 && !string.IsNullOrWhiteSpace(value))
            {
                return value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? value[7..].Trim() : value.Trim();
            }

            problem = new AuthResult(AuthOutcome.Invalid, null, $"send one token in the {header} header", InvalidChallenge);
            return null;
        }

        problem = new AuthResult(AuthOutcome.Missing, null, _missingDetail);
        return null;
    }

    private TokenValidationParameters Build(OpenIdConnectConfiguration configuration)
    {
        var parameters = Parameters(_auth.Issuer ?? configuration.Issuer);
        parameters.IssuerSigningKeys = configuration.SigningKeys.ToArray();
        parameters.ValidAlgorithms = OidcAlgorithms;
        return parameters;
    }

    private TokenValidationParameters Parameters(string? issuer) => new()
    {
        ValidateIssuer = !string.IsNullOrEmpty(issuer),
        ValidIssuer = issuer,
        ValidateAudience = _auth.Audiences.Count > 0,
        ValidAudiences = _auth.Audiences,
        ValidateLifetime = true,
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        ClockSkew = TimeSpan.FromSeconds(_auth.ClockSkewSeconds),
        ValidateIssuerSigningKey = false,
        TryAllIssuerSigningKeys = true,
        SaveSigninToken = false,
    };

    private static SecurityKey CreateKey(JwtKeyConfig key)
    {
        SecurityKey created;
        if (key.Secret is not null)
        {
            created = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key.Secret));
        }
        else if (key.Algorithm.StartsWith("ES", StringComparison.Ordinal))
        {
            var ec = ECDsa.Create();
            ec.ImportFromPem(key.PublicKeyPem);
            created = new ECDsaSecurityKey(ec);
        }
        else
        {
            var rsa = RSA.Create();
            rsa.ImportFromPem(key.PublicKeyPem);
            created = new RsaSecurityKey(rsa);
        }

        created.KeyId = key.KeyId;
        return created;
    }

    private static bool HasClaim(TokenValidationResult result, string claim, IReadOnlyList<string> accepted)
    {
        if (!result.Claims.TryGetValue(claim, out var value) || value is null) return false;
        if (accepted.Count == 0) return true;
        if (value is string single) return accepted.Contains(single);
        if (value is IEnumerable<object> many)
        {
            foreach (var item in many)
            {
                if (item is string s && accepted.Contains(s)) return true;
            }
        }

        return accepted.Contains(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "");
    }

    private static bool IsUsableId(string id)
    {
        if (id.Length is 0 or > 256) return false;
        foreach (var c in id)
        {
            if (c < 0x20 || c == 0x7F) return false;
        }

        return true;
    }

    /// <summary>Why a token was refused, in words that never repeat the token.</summary>
    private static string Describe(Exception? e) => e switch
    {
        SecurityTokenExpiredException => "the token has expired",
        SecurityTokenNotYetValidException => "the token is not valid yet",
        SecurityTokenNoExpirationException => "the token has no expiry ('exp')",
        SecurityTokenInvalidAudienceException => "the token's audience is not accepted",
        SecurityTokenInvalidIssuerException => "the token's issuer is not accepted",
        SecurityTokenInvalidAlgorithmException => "the token's signing algorithm is not accepted",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "the token's signature does not verify with the app's keys",
        SecurityTokenMalformedException or ArgumentException => "the token is not a well-formed JWT",
        _ => "the token is not valid",
    };
}
