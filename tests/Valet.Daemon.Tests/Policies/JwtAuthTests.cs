using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.Tokens;
using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Policies;

public sealed class JwtAuthTests
{
    private const string Issuer = "https://issuer.example";
    private const string Audience = "valet-tests";
    private const string Secret = "0123456789abcdef0123456789abcdef-hs256";
    private static readonly RsaSecurityKey Key = TestTokens.NewRsaKey("k1");

    private static Dictionary<string, object?> JwtApp(TestBackend backend, object? requiredClaims = null, string? tokenHeader = null)
    {
        var app = TestGateway.App("fn", backend);
        var auth = new Dictionary<string, object?>
        {
            ["type"] = "jwt",
            ["issuer"] = Issuer,
            ["audience"] = Audience,
            ["signingKeys"] = new object[] { new { kid = "k1", publicKeyFile = "k1.pem" }, new { kid = "h1", secret = Secret } },
        };
        if (requiredClaims is not null) auth["requiredClaims"] = requiredClaims;
        if (tokenHeader is not null) auth["tokenHeader"] = tokenHeader;
        app["auth"] = auth;
        return app;
    }

    private static Task<TestGateway> Start(params object[] apps) =>
        TestGateway.StartAsync(apps, prepare: conf => conf.Write("k1.pem", TestTokens.PublicPem(Key)));

    private static Task<TestBackend> EchoConsumer() =>
        TestBackend.StartAsync(c => c.Response.WriteAsync(c.Request.Headers["X-Valet-Consumer"].ToString()));

    private static (string, string) Bearer(string token) => ("Authorization", "Bearer " + token);

    [Fact]
    public async Task Jwt_ValidRs256Token_ForwardedWithSubjectAndWithoutToken()
    {
        await using var backend = await EchoConsumer();
        await using var gateway = await Start(JwtApp(backend));

        using var response = await gateway.GetAsync("/fn/x", Bearer(TestTokens.Create(Key, SecurityAlgorithms.RsaSha256, Issuer, Audience, sub: "user-42")));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Be("user-42");
        backend.Seen.Single().Headers.Should().NotContainKey("Authorization");
    }

    [Fact]
    public async Task Jwt_ValidHs256Token_Accepted()
    {
        await using var backend = await EchoConsumer();
        await using var gateway = await Start(JwtApp(backend));
        var key = TestTokens.Secret(Secret);
        key.KeyId = "h1";

        using var response = await gateway.GetAsync("/fn/x", Bearer(TestTokens.Create(key, SecurityAlgorithms.HmacSha256, Issuer, Audience)));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Jwt_ValidEs256Token_AcceptedWithTheEcPublicKeyPem()
    {
        await using var backend = await EchoConsumer();
        using var ec = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var key = new ECDsaSecurityKey(ec) { KeyId = "e1" };
        var app = JwtApp(backend);
        ((Dictionary<string, object?>)app["auth"]!)["signingKeys"] = new object[] { new { kid = "e1", publicKeyFile = "e1.pem" } };
        await using var gateway = await TestGateway.StartAsync([app], prepare: conf => conf.Write("e1.pem", ec.ExportSubjectPublicKeyInfoPem()));

        using var good = await gateway.GetAsync("/fn/x", Bearer(TestTokens.Create(key, SecurityAlgorithms.EcdsaSha256, Issuer, Audience, sub: "ec-user")));
        using var otherCurveKey = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        using var forged = await gateway.GetAsync("/fn/x",
            Bearer(TestTokens.Create(new ECDsaSecurityKey(otherCurveKey) { KeyId = "e1" }, SecurityAlgorithms.EcdsaSha256, Issuer, Audience)));

        good.StatusCode.Should().Be(HttpStatusCode.OK);
        (await good.Content.ReadAsStringAsync()).Should().Be("ec-user");
        forged.StatusCode.Should().Be(HttpStatusCode.Unauthorized, "a token signed by another EC key");
        backend.Hits.Should().Be(1);
    }

    [Fact]
    public async Task Jwt_NoToken_401WithBearerChallenge()
    {
        await using var backend = await EchoConsumer();
        await using var gateway = await Start(JwtApp(backend));

        using var response = await gateway.GetAsync("/fn/x");

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ToString().Should().Be("Bearer realm=\"fn\"");
        backend.Hits.Should().Be(0);
    }

    public static TheoryData<string, string> RejectedTokens()
    {
        var now = DateTime.UtcNow;
        var other = TestTokens.NewRsaKey("k1");
        return new()
        {
            { "expired", TestTokens.Create(Key, SecurityAlgorithms.RsaSha256, Issuer, Audience, notBefore: now.AddHours(-2), expires: now.AddHours(-1)) },
            { "wrong audience", TestTokens.Create(Key, SecurityAlgorithms.RsaSha256, Issuer, "someone-else") },
            { "wrong issuer", TestTokens.Create(Key, SecurityAlgorithms.RsaSha256, "https://evil.example", Audience) },
            { "wrong key", TestTokens.Create(other, SecurityAlgorithms.RsaSha256, Issuer, Audience) },
            { "alg none", TestTokens.Unsigned(Issuer, Audience) },
            { "garbage", "not.a.jwt" },
        };
    }

    [Theory]
    [MemberData(nameof(RejectedTokens))]
    public async Task Jwt_BadToken_401InvalidTokenAndNotEchoed(string why, string token)
    {
        await using var backend = await EchoConsumer();
        await using var gateway = await Start(JwtApp(backend));

        using var response = await gateway.GetAsync("/fn/x", Bearer(token));

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized, why);
        response.Headers.WwwAuthenticate.ToString().Should().Be("Bearer realm=\"fn\", error=\"invalid_token\"");
        (await response.Content.ReadAsStringAsync()).Should().NotContain(token);
        backend.Hits.Should().Be(0);
    }

    [Fact]
    public async Task Jwt_Expired_DetailSaysSo()
    {
        await using var backend = await EchoConsumer();
        await using var gateway = await Start(JwtApp(backend));
        var now = DateTime.UtcNow;

        using var response = await gateway.GetAsync("/fn/x", Bearer(TestTokens.Create(Key, SecurityAlgorithms.RsaSha256, Issuer, Audience, notBefore: now.AddHours(-2), expires: now.AddMinutes(-10))));

        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString().Should().Be("the token has expired");
    }

    [Fact]
    public async Task Jwt_RequiredApplicationClaim_403WhenMissingOrOtherApp()
    {
        await using var backend = await EchoConsumer();
        await using var gateway = await Start(JwtApp(backend, requiredClaims: new { application_claim = "fn" }));
        string Token(object? app) => TestTokens.Create(Key, SecurityAlgorithms.RsaSha256, Issuer, Audience,
            claims: app is null ? null : new Dictionary<string, object> { ["application_claim"] = app });

        using var ok = await gateway.GetAsync("/fn/x", Bearer(Token("fn")));
        using var missing = await gateway.GetAsync("/fn/x", Bearer(Token(null)));
        using var other = await gateway.GetAsync("/fn/x", Bearer(Token("other-fn")));

        ok.StatusCode.Should().Be(HttpStatusCode.OK);
        missing.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        other.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        other.Headers.WwwAuthenticate.ToString().Should().Contain("error=\"insufficient_scope\"");
        backend.Hits.Should().Be(1);
    }

    [Fact]
    public async Task Jwt_TokenInConfiguredHeader_AcceptedAndStripped()
    {
        await using var backend = await EchoConsumer();
        await using var gateway = await Start(JwtApp(backend, tokenHeader: "X-Serverless-Token"));

        using var response = await gateway.GetAsync("/fn/x", ("X-Serverless-Token", TestTokens.Create(Key, SecurityAlgorithms.RsaSha256, Issuer, Audience)));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        backend.Seen.Single().Headers.Should().NotContainKey("X-Serverless-Token");
    }

    [Fact]
    public async Task Jwt_LimitByConsumer_KeyedBySubject()
    {
        await using var backend = await EchoConsumer();
        var app = JwtApp(backend);
        app["rateLimit"] = true;
        app["limitValue"] = 1;
        app["limitBy"] = "consumer";
        await using var gateway = await Start(app);
        string Token(string sub) => TestTokens.Create(Key, SecurityAlgorithms.RsaSha256, Issuer, Audience, sub: sub);

        using var alice1 = await gateway.GetAsync("/fn/x", Bearer(Token("alice")));
        using var alice2 = await gateway.GetAsync("/fn/x", Bearer(Token("alice")));
        using var bob = await gateway.GetAsync("/fn/x", Bearer(Token("bob")));

        (alice1.StatusCode, alice2.StatusCode, bob.StatusCode).Should().Be((HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.OK));
    }
}
