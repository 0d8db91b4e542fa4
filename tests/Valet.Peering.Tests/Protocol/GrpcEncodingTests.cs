using Valet.Peering.Protocol;

namespace Valet.Peering.Tests.Protocol;

public sealed class GrpcEncodingTests
{
    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("100%", "100%25")]
    [InlineData("é", "%C3%A9")]
    [InlineData("line\nbreak", "line%0Abreak")]
    public void Encode_PercentEncodesOutsidePrintableAscii(string message, string encoded)
    {
        GrpcMessageEncoding.Encode(message).Should().Be(encoded);
        GrpcMessageEncoding.Decode(encoded).Should().Be(message);
    }

    [Theory]
    [InlineData("%")]
    [InlineData("%G1")]
    [InlineData("abc%C3")]
    [InlineData("%FF%FE")]
    public void Decode_Malformed_NeverThrows(string value) => GrpcMessageEncoding.Decode(value).Should().NotBeNull();

    [Theory]
    [InlineData("1H", 3600_000)]
    [InlineData("2M", 120_000)]
    [InlineData("3S", 3000)]
    [InlineData("250m", 250)]
    [InlineData("5000u", 5)]
    [InlineData("7000000n", 7)]
    public void Timeout_Parse_Units(string value, long milliseconds)
    {
        GrpcTimeout.TryParse(value, out var timeout).Should().BeTrue();
        timeout.TotalMilliseconds.Should().Be(milliseconds);
    }

    [Theory]
    [InlineData("")]
    [InlineData("S")]
    [InlineData("123456789S")]
    [InlineData("12x")]
    [InlineData("-1S")]
    public void Timeout_Parse_Invalid(string value) => GrpcTimeout.TryParse(value, out _).Should().BeFalse();

    [Fact]
    public void Timeout_Format_RoundTrips() =>
        GrpcTimeout.TryParse(GrpcTimeout.Format(TimeSpan.FromMilliseconds(1500)), out var t).Should().BeTrue();
}
