using Microsoft.AspNetCore.Http;
using Valet.Core.Auth;
using Valet.Core.Configuration;

namespace Valet.Core.Tests.Auth;

public sealed class ApiKeyAuthenticatorTests
{
    private static ApiKeyAuthenticator Create(string? authKey, params ConsumerConfig[] keys) => new(new AppConfig
    {
        Name = "svc",
        Authorize = true,
        AuthKey = authKey,
        Keys = keys,
        Endpoints = [new EndpointConfig { Host = "h", Port = 1 }],
    });

    [Fact]
    public void Match_SeedAuthKey_IsDefaultConsumer()
    {
        var auth = Create("thisismyauth");

        auth.Match("thisismyauth")!.Id.Should().Be("default");
        auth.Match("thisismyaut").Should().BeNull();
        auth.Match("thisismyauth2").Should().BeNull();
        auth.Match("").Should().BeNull();
    }

    [Fact]
    public void Match_HashedKey_ComparedByDigest()
    {
        var auth = Create(null, new ConsumerConfig { Id = "bob", Key = ApiKeyAuthenticator.HashKey("s3cret"), LimitValue = 7 });

        var bob = auth.Match("s3cret");

        bob!.Id.Should().Be("bob");
        bob.LimitValue.Should().Be(7);
        auth.Match(ApiKeyAuthenticator.HashKey("s3cret")).Should().BeNull();
    }

    [Fact]
    public void HashKey_IsSha256HexOfUtf8()
    {
        ApiKeyAuthenticator.HashKey("clé").Should().Be("sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("clé"u8)));
    }

    [Fact]
    public void Authenticate_MissingEmptyOrRepeatedHeader_Distinguished()
    {
        var auth = Create("k");
        AuthOutcome Check(params string[] values)
        {
            var context = new DefaultHttpContext();
            if (values.Length > 0) context.Request.Headers["X-Valet-Auth"] = values;
            return auth.Authenticate(context.Request, out _);
        }

        Check().Should().Be(AuthOutcome.Missing);
        Check("").Should().Be(AuthOutcome.Missing);
        Check("k", "k").Should().Be(AuthOutcome.Invalid);
        Check("nope").Should().Be(AuthOutcome.Invalid);
        Check("k").Should().Be(AuthOutcome.Authenticated);
    }

    [Fact]
    public void ConsumerIds_ListedWithoutKeys()
    {
        var auth = Create("k", new ConsumerConfig { Id = "alice", Key = "a" }, new ConsumerConfig { Id = "bob", Key = ApiKeyAuthenticator.HashKey("b") });

        auth.ConsumerIds.Should().BeEquivalentTo("default", "alice", "bob");
    }
}
