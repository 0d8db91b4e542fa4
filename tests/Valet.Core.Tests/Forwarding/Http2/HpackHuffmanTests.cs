using System.Numerics;
using System.Text;
using Valet.Core.Forwarding.Http2;

namespace Valet.Core.Tests.Forwarding.Http2;

/// <summary>The Huffman table as transcribed from RFC 7541 Appendix B, and its decoder.</summary>
public sealed class HpackHuffmanTests
{
    /// <summary>Encodes with the table under test, padding with ones, as an HPACK encoder would.</summary>
    private static byte[] Encode(ReadOnlySpan<byte> text)
    {
        var bits = new List<bool>();
        foreach (var symbol in text)
        {
            var code = HpackHuffman.Codes[symbol];
            for (var bit = HpackHuffman.Lengths[symbol] - 1; bit >= 0; bit--) bits.Add(((code >> bit) & 1) == 1);
        }

        while (bits.Count % 8 != 0) bits.Add(true);
        var bytes = new byte[bits.Count / 8];
        for (var i = 0; i < bits.Count; i++)
        {
            if (bits[i]) bytes[i / 8] |= (byte)(0x80 >> (i % 8));
        }

        return bytes;
    }

    private static string Decode(byte[] encoded)
    {
        var output = new byte[HpackHuffman.MaxDecodedLength(encoded.Length)];
        var written = HpackHuffman.Decode(encoded, output);
        return Encoding.Latin1.GetString(output, 0, written);
    }

    [Fact]
    public void Table_IsACompletePrefixCode()
    {
        // Kraft's sum of 2^-length over the 257 codes is exactly 1 for a complete prefix code: a
        // mistyped length breaks it; each code must also fit its length.
        var sum = BigInteger.Zero;
        for (var symbol = 0; symbol <= HpackHuffman.Eos; symbol++)
        {
            var length = HpackHuffman.Lengths[symbol];
            length.Should().BeInRange((byte)5, (byte)30);
            HpackHuffman.Codes[symbol].Should().BeLessThan(1u << length, $"symbol {symbol}");
            sum += BigInteger.One << (30 - length);
        }

        sum.Should().Be(BigInteger.One << 30);
        HpackHuffman.Codes[HpackHuffman.Eos].Should().Be(0x3fffffff);
    }

    [Fact]
    public void Decode_EveryOctet_RoundTrips()
    {
        var all = new byte[256];
        for (var i = 0; i < all.Length; i++) all[i] = (byte)i;

        var decoded = new byte[all.Length];
        var encoded = Encode(all);
        HpackHuffman.Decode(encoded, decoded).Should().Be(256);

        decoded.Should().Equal(all);
    }

    [Theory]
    [InlineData("f1e3 c2e5 f23a 6ba0 ab90 f4ff", "www.example.com")]
    [InlineData("a8eb 1064 9cbf", "no-cache")]
    [InlineData("25a8 49e9 5ba9 7d7f", "custom-key")]
    [InlineData("6402", "302")]
    [InlineData("aec3 771a 4b", "private")]
    [InlineData("9d29 ad17 1863 c78f 0b97 c8e9 ae82 ae43 d3", "https://www.example.com")]
    public void Decode_RfcStrings(string hex, string expected)
    {
        Decode(Hex.Bytes(hex)).Should().Be(expected);
        Encode(Encoding.Latin1.GetBytes(expected)).Should().Equal(Hex.Bytes(hex));
    }

    [Fact]
    public void Decode_Empty_IsEmpty() => Decode([]).Should().BeEmpty();
}
