using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.Tokens;
using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Policies;

public sealed class OidcAuthTests
{
    private const string Audience = "valet-api";

    private static Dictionary<string, object?> OidcApp(TestBackend backend, string authority)
    {
        var app = TestGateway.App("api", backend);
        app["auth"] = new { type = "oidc", authority, audience = Audience };
        return app;
    }

    private static Task<TestBackend> EchoConsumer() =>
        TestBackend.StartAsync(c => c.Response.WriteAsync(c.Request.Headers["X-Valet-Consumer"].ToString()));

    private static (string, string) Bearer(string token) => ("Authorization", "Bearer " + token);

    [Fact]
    public async Task Oidc_TokenFromProvider_AcceptedWithSubject()
    {
        var key = TestTokens.NewRsaKey("a");
        await using var issuer = await TestIssuer.StartAsync(key);
        await using var backend = await EchoConsumer();
        await using var gateway = await TestGateway.StartAsync([OidcApp(backend, issuer.Authority)]);

        using var ok = await gateway.GetAsync("/api/x", Bearer(TestTokens.Create(key, SecurityAlgorithms.RsaSha256, issuer.Authority, Audience, sub: "u1")));
        using var wrongIssuer = await gateway.GetAsync("/api/x", Bearer(TestTokens.Create(key, SecurityAlgorithms.RsaSha256, "https://other.example", Audience)));
        using var wrongAudience = await gateway.GetAsync("/api/x", Bearer(TestTokens.Create(key, SecurityAlgorithms.RsaSha256, issuer.Authority, "other")));

        ok.StatusCode.Should().Be(HttpStatusCode.OK);
        (await ok.Content.ReadAsStringAsync()).Should().Be("u1");
        wrongIssuer.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        wrongAudience.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Oidc_KeyRotation_UnknownKidRefreshesJwksOnceWithinInterval()
    {
        var oldKey = TestTokens.NewRsaKey("old");
        var newKey = TestTokens.NewRsaKey("new");
        await using var issuer = await TestIssuer.StartAsync(oldKey);
        await using var backend = await EchoConsumer();
        await using var gateway = await TestGateway.StartAsync([OidcApp(backend, issuer.Authority)]);
        string Token(RsaSecurityKey key) => TestTokens.Create(key, SecurityAlgorithms.RsaSha256, issuer.Authority, Audience);

        using var before = await gateway.GetAsync("/api/x", Bearer(Token(oldKey)));
        var fetchesBefore = issuer.JwksFetches;
        issuer.Rotate(newKey);
        using var rotated = await gateway.GetAsync("/api/x", Bearer(Token(newKey)));
        var fetchesAfterRotation = issuer.JwksFetches;
        using var unknown = await gateway.GetAsync("/api/x", Bearer(Token(TestTokens.NewRsaKey("never-published"))));
        using var oldAfterRotation = await gateway.GetAsync("/api/x", Bearer(Token(oldKey)));

        before.StatusCode.Should().Be(HttpStatusCode.OK);
        fetchesBefore.Should().Be(1, "the keys were fetched once when the app was compiled");
        rotated.StatusCode.Should().Be(HttpStatusCode.OK, "an unknown kid makes Valet fetch the provider's new keys");
        fetchesAfterRotation.Should().Be(2);
        unknown.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        oldAfterRotation.StatusCode.Should().Be(HttpStatusCode.Unauthorized, "the provider no longer publishes the old key");
        issuer.JwksFetches.Should().Be(2, "refreshes asked for by unknown kids are rate-bounded");
    }

    [Fact]
    public async Task Oidc_ProviderUnreachableAtStart_App503AndReportsFailed_OthersServe()
    {
        var authority = $"http://127.0.0.1:{ClosedPort.Get()}";
        await using var backend = await EchoConsumer();
        await using var other = await TestBackend.StartNamedAsync("other");
        await using var gateway = await TestGateway.StartAsync([OidcApp(backend, authority), TestGateway.App("other", other)]);
        gateway.Config.Current.TryGetApp("api", out var app).Should().BeTrue();
        await app.Authenticator!.WarmUp;

        using var oidc = await gateway.GetAsync("/api/x", Bearer(TestTokens.Create(TestTokens.NewRsaKey("a"), SecurityAlgorithms.RsaSha256, authority, Audience)));
        using var served = await gateway.GetAsync("/other/x");

        app.Authenticator.Status.Ready.Should().BeFalse();
        app.Authenticator.Status.Problem.Should().Contain(authority + "/.well-known/openid-configuration");
        oidc.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        oidc.Headers.RetryAfter.Should().NotBeNull();
        JsonDocument.Parse(await oidc.Content.ReadAsStringAsync()).RootElement.GetProperty("type").GetString().Should().Be("urn:valet:problem:auth-unavailable");
        served.StatusCode.Should().Be(HttpStatusCode.OK);
        backend.Hits.Should().Be(0);
    }
}
