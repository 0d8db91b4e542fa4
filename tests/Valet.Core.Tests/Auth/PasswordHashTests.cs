using Valet.Core.Auth;

namespace Valet.Core.Tests.Auth;

public sealed class PasswordHashTests
{
    [Fact]
    public void Create_ThenVerify_AcceptsOnlyThePassword()
    {
        var text = PasswordHash.Create("correct horse", PasswordHash.MinIterations);

        text.Should().MatchRegex(@"^pbkdf2-sha256\$10000\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$");
        PasswordHash.TryParse(text, out var hash, out _).Should().BeTrue();
        hash!.Verify("correct horse").Should().BeTrue();
        hash.Verify("correct horse ").Should().BeFalse();
        hash.Verify("").Should().BeFalse();
    }

    [Fact]
    public void Create_SamePasswordTwice_DifferentSalts()
    {
        PasswordHash.Create("pw", PasswordHash.MinIterations).Should().NotBe(PasswordHash.Create("pw", PasswordHash.MinIterations));
    }

    [Theory]
    [InlineData("pw")]
    [InlineData("pbkdf2-sha256$10000$c2FsdHNhbHQ=")]
    [InlineData("pbkdf2-sha256$99$c2FsdHNhbHQ=$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("pbkdf2-sha256$10000$c2FsdHNhbHQ=$AAAA")]
    public void TryParse_Malformed_False(string text)
    {
        PasswordHash.TryParse(text, out _, out var error).Should().BeFalse();
        error.Should().NotContain(text.Split('$')[^1].Length > 4 ? text.Split('$')[^1] : "\u0000");
    }
}
