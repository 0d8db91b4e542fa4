using Microsoft.AspNetCore.Http;
using Valet.Core.Auth;
using Valet.Core.Configuration;

namespace Valet.Core.Tests.Auth;

public sealed class ApiKeyAuthenticatorTests
{
    private const string SeedKey = "4f9c2d7e1b8a4c6f9e3d2a1b0c9d8e7f";

    [Fact]
    public void Match_SeedKey_IsTheDefaultConsumer()
    {
        var authenticator = new ApiKeyAuthenticator(new AppConfig { Name = "userauth", Authorize = true, AuthKey = SeedKey });

        authenticator.Match(SeedKey)!.Id.Should().Be(AppConfig.DefaultConsumerId);
    }

    [Theory]
    [InlineData("4f9c2d7e1b8a4c6f9e3d2a1b0c9d8e7e")] // last character differs
    [InlineData("5f9c2d7e1b8a4c6f9e3d2a1b0c9d8e7f")] // first character differs
    [InlineData("4f9c2d7e1b8a4c6f9e3d2a1b0c9d8e7")] // one character short
    [InlineData("4f9c2d7e1b8a4c6f9e3d2a1b0c9d8e7f0")] // one character long
    [InlineData("4F9C2D7E1B8A4C6F9E3D2A1B0C9D8E7F")] // case matters
    [InlineData("")]
    public void Match_OtherKey_IsNull(string presented)
    {
        var authenticator = new ApiKeyAuthenticator(new AppConfig { Name = "userauth", Authorize = true, AuthKey = SeedKey });

        authenticator.Match(presented).Should().BeNull();
    }

    [Fact]
    public void Match_TenConsumers_FindsEachByItsKey()
    {
        var consumers = Enumerable.Range(0, 10).Select(i => new ConsumerConfig { Id = $"c{i}", Key = $"key-{i}-{new string('x', i)}" }).ToList();
        var authenticator = new ApiKeyAuthenticator(new AppConfig { Name = "userauth", Authorize = true, Keys = consumers });

        foreach (var consumer in consumers) authenticator.Match(consumer.Key)!.Id.Should().Be(consumer.Id);
        authenticator.Match("key-3-xx").Should().BeNull();
    }

    [Fact]
    public void Match_HashedKey_MatchesThePlainKeyOnly()
    {
        var authenticator = new ApiKeyAuthenticator(new AppConfig
        {
            Name = "userauth",
            Authorize = true,
            Keys = [new ConsumerConfig { Id = "mobile", Key = ApiKeyAuthenticator.HashKey(SeedKey) }],
        });

        authenticator.Match(SeedKey)!.Id.Should().Be("mobile");
        authenticator.Match(ApiKeyAuthenticator.HashKey(SeedKey)).Should().BeNull();
        authenticator.Match(SeedKey[..^1]).Should().BeNull();
    }

    [Fact]
    public void Authenticate_HeaderMissingOrRepeated_IsMissingOrInvalid()
    {
        var authenticator = new ApiKeyAuthenticator(new AppConfig { Name = "userauth", Authorize = true, AuthKey = SeedKey });
        var context = new DefaultHttpContext();

        authenticator.Authenticate(context.Request, out _).Should().Be(AuthOutcome.Missing);
        context.Request.Headers[AppConfig.DefaultAuthHeader] = SeedKey;
        authenticator.Authenticate(context.Request, out var consumer).Should().Be(AuthOutcome.Authenticated);
        consumer!.Id.Should().Be(AppConfig.DefaultConsumerId);
        context.Request.Headers[AppConfig.DefaultAuthHeader] = new[] { SeedKey, SeedKey };
        authenticator.Authenticate(context.Request, out _).Should().Be(AuthOutcome.Invalid);
    }

    [Fact]
    public void HashKey_IsSha256HexOfUtf8()
    {
        ApiKeyAuthenticator.HashKey("clé").Should().Be("sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("clé"u8)));
    }

    [Fact]
    public void Authenticate_EmptyHeader_IsMissing()
    {
        var authenticator = new ApiKeyAuthenticator(new AppConfig { Name = "userauth", Authorize = true, AuthKey = SeedKey });
        var context = new DefaultHttpContext();
        context.Request.Headers[AppConfig.DefaultAuthHeader] = "";

        authenticator.Authenticate(context.Request, out _).Should().Be(AuthOutcome.Missing);
    }

    [Fact]
    public void ConsumerIds_ListedWithoutKeys()
    {
        var authenticator = new ApiKeyAuthenticator(new AppConfig
        {
            Name = "userauth",
            Authorize = true,
            AuthKey = "k",
            Keys = [new ConsumerConfig { Id = "alice", Key = "a" }, new ConsumerConfig { Id = "bob", Key = ApiKeyAuthenticator.HashKey("b") }],
        });

        authenticator.ConsumerIds.Should().BeEquivalentTo("default", "alice", "bob");
    }
}
