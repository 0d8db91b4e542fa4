using System.Security.Cryptography;
using System.Text;
using Valet.Core.Auth;
using Valet.Core.Configuration;
using Valet.Core.Tests.TestSupport;

namespace Valet.Core.Tests.Configuration;

public sealed class AuthFieldTests : IDisposable
{
    private const string Endpoints = "\"endpoints\": [ { \"host\": \"a.example\", \"port\": 80 } ]";
    private static readonly string Hash = PasswordHash.Create("pw", PasswordHash.MinIterations);
    private readonly TempFolder _folder = new();

    private AppParseResult Parse(string fields) =>
        AppConfigParser.Parse("p.json", Encoding.UTF8.GetBytes($"{{ \"name\": \"p\", {Endpoints}, {fields} }}"), _folder.Path);

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Parse_BasicUsers_Mapped()
    {
        var result = Parse($$"""
            "auth": { "type": "basic", "realm": "Staff", "users": [ { "name": "alice", "password": "{{Hash}}" } ] },
            "rateLimit": true, "limitValue": 2, "limitBy": "consumer"
            """);

        result.Errors.Should().BeEmpty();
        var auth = result.Config!.Auth!;
        (auth.Type, auth.Realm, result.Config.Authorize).Should().Be((AuthType.Basic, "Staff", false));
        auth.Users.Single().Name.Should().Be("alice");
    }

    [Fact]
    public void Parse_ApiKeyType_TakesKeysFromSeedFields()
    {
        var result = Parse("\"auth\": { \"type\": \"apiKey\" }, \"authKey\": \"k1\", \"authHeader\": \"X-Key\"");

        result.Errors.Should().BeEmpty();
        (result.Config!.Authorize, result.Config.AuthKey, result.Config.AuthHeader).Should().Be((true, "k1", "X-Key"));
    }

    [Fact]
    public void Parse_JwtWithPemAndSecret_InfersAlgorithms()
    {
        using var rsa = RSA.Create(2048);
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _folder.Write("keys/rsa.pem", rsa.ExportSubjectPublicKeyInfoPem());
        _folder.Write("ec.pem", ec.ExportSubjectPublicKeyInfoPem());

        var result = Parse("""
            "auth": { "type": "jwt", "issuer": "https://issuer.example", "audience": ["a", "b"], "tokenHeader": "X-Token",
                      "requiredClaims": { "application_claim": "p", "scope": [] }, "clockSkew": 5,
                      "signingKeys": [ { "kid": "r", "publicKeyFile": "keys/rsa.pem" }, { "publicKeyFile": "ec.pem" },
                                       { "kid": "h", "secret": "0123456789abcdef0123456789abcdef" } ] }
            """);

        result.Errors.Should().BeEmpty();
        var auth = result.Config!.Auth!;
        auth.SigningKeys.Select(k => (k.KeyId, k.Algorithm)).Should().Equal(("r", "RS256"), (null, "ES256"), ("h", "HS256"));
        auth.Audiences.Should().Equal("a", "b");
        auth.RequiredClaims["application_claim"].Should().Equal("p");
        auth.RequiredClaims["scope"].Should().BeEmpty();
        (auth.TokenHeader, auth.ClockSkewSeconds).Should().Be(("X-Token", 5));
    }

    [Theory]
    [InlineData("\"auth\": { \"type\": \"basic\", \"users\": [ { \"name\": \"a\", \"password\": \"HASH\" } ] }, \"authorize\": true", "$.authorize",
        "'authorize' configures API-key auth, but 'auth.type' is \"basic\"; remove 'authorize', or use \"type\": \"apiKey\"")]
    [InlineData("\"auth\": { \"type\": \"public\" }, \"authKey\": \"k\"", "$.authKey",
        "'authKey' configures API-key auth, but 'auth.type' is \"public\"; remove 'authKey', or use \"type\": \"apiKey\"")]
    [InlineData("\"auth\": { \"type\": \"apiKey\" }, \"authorize\": false, \"authKey\": \"k\"", "$.authorize",
        "'authorize' is false but 'auth.type' is \"apiKey\"; remove 'authorize' (or set it to true)")]
    [InlineData("\"auth\": { \"type\": \"apiKey\" }", "$.authorize",
        "'authorize' is true but there is no key: set 'authKey' or list consumers in 'keys'")]
    [InlineData("\"auth\": { \"type\": \"ldap\" }", "$.auth.type",
        "'type' is \"ldap\"; use \"public\", \"apiKey\", \"basic\", \"jwt\" or \"oidc\"")]
    [InlineData("\"auth\": { \"type\": \"basic\", \"users\": [ { \"name\": \"a\", \"password\": \"secret\" } ] }", "$.auth.users[0].password",
        "a password must be stored as 'pbkdf2-sha256$<iterations>$<salt>$<hash>', as printed by 'valet hash-password'; plain passwords are not accepted")]
    [InlineData("\"auth\": { \"type\": \"basic\" }", "$.auth",
        "basic auth needs 'users': [ { \"name\", \"password\" } ] with hashes from 'valet hash-password'")]
    [InlineData("\"auth\": { \"type\": \"basic\", \"users\": [ { \"name\": \"a\", \"password\": \"HASH\" } ], \"audience\": \"x\" }", "$.auth.audience",
        "'audience' does not apply to auth type \"basic\"; remove it")]
    [InlineData("\"auth\": { \"type\": \"jwt\", \"signingKeys\": [ { \"secret\": \"short\" } ] }", "$.auth.signingKeys[0].secret",
        "an HS256 'secret' must be at least 32 bytes long")]
    [InlineData("\"auth\": { \"type\": \"jwt\", \"signingKeys\": [ { } ] }", "$.auth.signingKeys[0]",
        "a signing key has either 'publicKeyFile' (RS256/ES256) or 'secret' (HS256), exactly one of them")]
    [InlineData("\"auth\": { \"type\": \"oidc\", \"authority\": \"http://idp.example\", \"audience\": \"api\" }", "$.auth.authority",
        "'authority' \"http://idp.example\" must use https; plain http is allowed only for a loopback provider (localhost, 127.0.0.1, ::1)")]
    [InlineData("\"auth\": { \"type\": \"oidc\", \"authority\": \"https://idp.example\" }", "$.auth",
        "oidc auth needs 'audience': the client id (or API identifier) tokens are issued for, since a provider signs tokens for many clients")]
    [InlineData("\"auth\": { \"type\": \"jwt\", \"signingKeys\": [ { \"secret\": \"0123456789abcdef0123456789abcdef\" } ], \"tokenHeader\": \"Authorization\" }", "$.auth.tokenHeader",
        "'tokenHeader' is \"Authorization\"; give a header name other than Authorization (which is always read)")]
    public void Parse_InvalidAuth_ReportsPathAndMessage(string fields, string path, string message)
    {
        var result = Parse(fields.Replace("HASH", Hash));

        result.Errors.Select(e => (e.Path, e.Message)).Should().ContainSingle().Which.Should().Be((path, message));
    }

    [Fact]
    public void Parse_BadPem_ErrorNamesFileAndReason()
    {
        _folder.Write("bad.pem", "-----BEGIN PUBLIC KEY-----\nnot base64 at all\n-----END PUBLIC KEY-----\n");

        var result = Parse("\"auth\": { \"type\": \"jwt\", \"signingKeys\": [ { \"publicKeyFile\": \"bad.pem\" }, { \"publicKeyFile\": \"missing.pem\" } ] }");

        result.Errors.Select(e => e.Path).Should().Equal("$.auth.signingKeys[0].publicKeyFile", "$.auth.signingKeys[1].publicKeyFile");
        result.Errors[0].Message.Should().StartWith("'publicKeyFile' \"bad.pem\" is not a usable PEM public key: ");
        result.Errors[1].Message.Should().Be($"'publicKeyFile' \"missing.pem\" does not exist (resolved to {_folder.Combine("missing.pem")})");
    }

    [Fact]
    public void Parse_PrivateKeyPem_Refused()
    {
        using var rsa = RSA.Create(2048);
        _folder.Write("private.pem", rsa.ExportPkcs8PrivateKeyPem());

        var result = Parse("\"auth\": { \"type\": \"jwt\", \"signingKeys\": [ { \"publicKeyFile\": \"private.pem\" } ] }");

        result.Errors.Single().Message.Should().Be("'publicKeyFile' \"private.pem\" holds a private key; give the public key only (e.g. `openssl pkey -pubout`)");
    }
}
