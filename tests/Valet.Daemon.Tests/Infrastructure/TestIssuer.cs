using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace Valet.Daemon.Tests.Infrastructure;

/// <summary>
/// An OpenID Connect provider in the test: Kestrel on 127.0.0.1 serving a discovery document and a
/// JWKS with the keys the test sets (so it can rotate them), counting JWKS fetches.
/// </summary>
public sealed class TestIssuer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private volatile RsaSecurityKey[] _keys;
    private int _jwksFetches;

    private TestIssuer(WebApplication app, RsaSecurityKey[] keys)
    {
        _app = app;
        _keys = keys;
    }

    public string Authority { get; private set; } = "";

    public int JwksFetches => Volatile.Read(ref _jwksFetches);

    /// <summary>Publishes these keys from now on (the old ones disappear).</summary>
    public void Rotate(params RsaSecurityKey[] keys) => _keys = keys;

    public static async Task<TestIssuer> StartAsync(params RsaSecurityKey[] keys)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var issuer = new TestIssuer(app, keys);
        app.MapGet("/.well-known/openid-configuration", () => Results.Json(new
        {
            issuer = issuer.Authority,
            jwks_uri = issuer.Authority + "/jwks",
            authorization_endpoint = issuer.Authority + "/authorize",
            id_token_signing_alg_values_supported = new[] { "RS256" },
        }));
        app.MapGet("/jwks", () =>
        {
            Interlocked.Increment(ref issuer._jwksFetches);
            var jwks = issuer._keys.Select(k =>
            {
                var p = k.Rsa.ExportParameters(false);
                return new { kty = "RSA", use = "sig", alg = "RS256", kid = k.KeyId, n = Base64UrlEncoder.Encode(p.Modulus), e = Base64UrlEncoder.Encode(p.Exponent) };
            });
            return Results.Text(JsonSerializer.Serialize(new { keys = jwks }), "application/json");
        });
        await app.StartAsync();
        issuer.Authority = app.Urls.First().TrimEnd('/');
        return issuer;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
