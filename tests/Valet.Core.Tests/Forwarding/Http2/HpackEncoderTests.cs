using Valet.Core.Forwarding.Http2;

namespace Valet.Core.Tests.Forwarding.Http2;

/// <summary>Valet's stateless HPACK encoder, read back by the decoder.</summary>
public sealed class HpackEncoderTests
{
    private static (byte[] Block, List<HeaderField> Decoded, HpackDecoder Decoder) RoundTrip(List<HeaderField> fields, bool emptyTable = false)
    {
        var buffer = new byte[HpackEncoder.MaxLength(fields)];
        var length = HpackEncoder.Encode(fields, buffer, emptyTable);
        var block = buffer[..length];
        var decoder = new HpackDecoder();
        var decoded = new List<HeaderField>();
        decoder.Decode(block, decoded);
        return (block, decoded, decoder);
    }

    [Fact]
    public void Encode_Fields_DecodeToTheSameLowerCaseFieldsWithoutTouchingTheTable()
    {
        var longValue = new string('z', 300);
        List<HeaderField> fields =
        [
            new(":method", "POST"), new(":scheme", "https"), new(":authority", "api.example:8443"), new(":path", "/a/b?c=d"),
            new("Content-Type", "application/json"), new("X-Custom-Header", longValue), new("accept", "*/*"), new("x-latin", "caf\u00e9"),
            new("X-Custom-Header", "second"),
        ];

        var (_, decoded, decoder) = RoundTrip(fields);

        decoded.Should().Equal(fields.Select(f => f with { Name = f.Name.ToLowerInvariant() }));
        decoder.Table.Count.Should().Be(0, "literals without indexing never add entries");
    }

    [Fact]
    public void Encode_StaticPseudoFields_AreOneOctetEach()
    {
        var (block, _, _) = RoundTrip([new(":method", "GET"), new(":scheme", "http"), new(":path", "/")]);

        block.Should().Equal(0x82, 0x86, 0x84);
    }

    [Fact]
    public void Encode_KnownNameUnknownValue_NamesTheStaticEntry()
    {
        var (block, decoded, _) = RoundTrip([new("user-agent", "v")]);

        // 0000 + index 58 does not fit four bits: 0x0f then 58 - 15 = 43; value length 1, 'v'.
        block.Should().Equal(0x0f, 43, 0x01, (byte)'v');
        decoded.Should().Equal(new HeaderField("user-agent", "v"));
    }

    [Fact]
    public void Encode_EmptyTable_StartsWithSizeUpdateToZero()
    {
        var (block, decoded, decoder) = RoundTrip([new(":method", "GET")], emptyTable: true);

        block.Should().Equal(0x20, 0x82);
        decoded.Should().Equal(new HeaderField(":method", "GET"));
        decoder.Table.MaxSize.Should().Be(0);
    }

    [Fact]
    public void Encode_CharacterOutsideLatin1_Refused()
    {
        var act = () => HpackEncoder.Encode([new("x-name", "\u20ac")], new byte[64]);

        act.Should().Throw<HttpRequestException>().WithMessage("*x-name*U+20AC*");
    }
}
