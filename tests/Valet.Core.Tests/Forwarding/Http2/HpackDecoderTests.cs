using Valet.Core.Forwarding.Http2;

namespace Valet.Core.Tests.Forwarding.Http2;

/// <summary>The HPACK decoder against RFC 7541 Appendix C, and against malformed blocks.</summary>
public sealed class HpackDecoderTests
{
    private const string Date1 = "Mon, 21 Oct 2013 20:13:21 GMT";
    private const string Date2 = "Mon, 21 Oct 2013 20:13:22 GMT";
    private const string Location = "https://www.example.com";
    private const string Cookie = "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1";

    private static readonly HeaderField[] Request1 = [new(":method", "GET"), new(":scheme", "http"), new(":path", "/"), new(":authority", "www.example.com")];
    private static readonly HeaderField[] Request2 = [.. Request1, new("cache-control", "no-cache")];
    private static readonly HeaderField[] Request3 =
        [new(":method", "GET"), new(":scheme", "https"), new(":path", "/index.html"), new(":authority", "www.example.com"), new("custom-key", "custom-value")];

    private static readonly HeaderField[] Response1 = [new(":status", "302"), new("cache-control", "private"), new("date", Date1), new("location", Location)];
    private static readonly HeaderField[] Response2 = [new(":status", "307"), new("cache-control", "private"), new("date", Date1), new("location", Location)];
    private static readonly HeaderField[] Response3 =
        [new(":status", "200"), new("cache-control", "private"), new("date", Date2), new("location", Location), new("content-encoding", "gzip"), new("set-cookie", Cookie)];

    private static List<HeaderField> Decode(HpackDecoder decoder, string hex)
    {
        var fields = new List<HeaderField>();
        decoder.Decode(Hex.Bytes(hex), fields);
        return fields;
    }

    private static List<HeaderField> Table(HpackDecoder decoder)
    {
        var entries = new List<HeaderField>();
        for (var i = 0; i < decoder.Table.Count; i++) entries.Add(decoder.Table[i]);
        return entries;
    }

    private static void AssertRequests(string first, string second, string third)
    {
        var decoder = new HpackDecoder();

        Decode(decoder, first).Should().Equal(Request1);
        Table(decoder).Should().Equal(new HeaderField(":authority", "www.example.com"));
        decoder.Table.Size.Should().Be(57);

        Decode(decoder, second).Should().Equal(Request2);
        Table(decoder).Should().Equal(new HeaderField("cache-control", "no-cache"), new HeaderField(":authority", "www.example.com"));
        decoder.Table.Size.Should().Be(110);

        Decode(decoder, third).Should().Equal(Request3);
        Table(decoder).Should().Equal(new HeaderField("custom-key", "custom-value"), new HeaderField("cache-control", "no-cache"), new HeaderField(":authority", "www.example.com"));
        decoder.Table.Size.Should().Be(164);
    }

    private static void AssertResponses(string first, string second, string third)
    {
        // Appendix C.5/C.6 run with SETTINGS_HEADER_TABLE_SIZE 256, so entries are evicted.
        var decoder = new HpackDecoder(maxTableSize: 256);

        Decode(decoder, first).Should().Equal(Response1);
        Table(decoder).Should().Equal(new HeaderField("location", Location), new HeaderField("date", Date1), new HeaderField("cache-control", "private"), new HeaderField(":status", "302"));
        decoder.Table.Size.Should().Be(222);

        Decode(decoder, second).Should().Equal(Response2);
        Table(decoder).Should().Equal(new HeaderField(":status", "307"), new HeaderField("location", Location), new HeaderField("date", Date1), new HeaderField("cache-control", "private"));
        decoder.Table.Size.Should().Be(222);

        Decode(decoder, third).Should().Equal(Response3);
        Table(decoder).Should().Equal(new HeaderField("set-cookie", Cookie), new HeaderField("content-encoding", "gzip"), new HeaderField("date", Date2));
        decoder.Table.Size.Should().Be(215);
    }

    [Fact]
    public void Decode_C3RequestsWithoutHuffman_FieldsAndTableAsPublished() => AssertRequests(
        "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
        "8286 84be 5808 6e6f 2d63 6163 6865",
        "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65");

    [Fact]
    public void Decode_C4RequestsWithHuffman_FieldsAndTableAsPublished() => AssertRequests(
        "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff",
        "8286 84be 5886 a8eb 1064 9cbf",
        "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf");

    [Fact]
    public void Decode_C5ResponsesWithoutHuffman_EvictAsPublished() => AssertResponses(
        "4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
        "4803 3330 37c1 c0bf",
        "88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d 54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049 5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31");

    [Fact]
    public void Decode_C6ResponsesWithHuffman_EvictAsPublished() => AssertResponses(
        "4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3",
        "4883 640e ffc1 c0bf",
        "88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07");

    [Fact]
    public void Decode_C2LiteralKinds_OnlyIncrementalIndexingAddsToTheTable()
    {
        var decoder = new HpackDecoder();

        // C.2.2 without indexing, C.2.3 never indexed: the table stays empty.
        Decode(decoder, "040c 2f73 616d 706c 652f 7061 7468").Should().Equal(new HeaderField(":path", "/sample/path"));
        Decode(decoder, "1008 7061 7373 776f 7264 0673 6563 7265 74").Should().Equal(new HeaderField("password", "secret"));
        decoder.Table.Count.Should().Be(0);

        // C.2.1 with incremental indexing: one entry of 55 octets.
        Decode(decoder, "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572").Should().Equal(new HeaderField("custom-key", "custom-header"));
        Table(decoder).Should().Equal(new HeaderField("custom-key", "custom-header"));
        decoder.Table.Size.Should().Be(55);

        // C.2.4 indexed: static entry 2.
        Decode(decoder, "82").Should().Equal(new HeaderField(":method", "GET"));
    }

    [Theory]
    [InlineData("0a", 5, 10)]
    [InlineData("1f9a0a", 5, 1337)]
    [InlineData("2a", 8, 42)]
    public void ReadInteger_C1Examples(string hex, int prefix, int expected)
    {
        var at = 0;

        HpackDecoder.ReadInteger(Hex.Bytes(hex), ref at, prefix).Should().Be(expected);
        at.Should().Be(hex.Length / 2);
    }

    [Fact]
    public void Decode_SizeUpdate_EvictsWhatNoLongerFits()
    {
        var decoder = new HpackDecoder();
        Decode(decoder, "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572");
        decoder.Table.Count.Should().Be(1);

        // 0x3f 0x0b: size update to 31 + 11 = 42, too small for the 55-octet entry; then an indexed field.
        Decode(decoder, "3f0b 82").Should().Equal(new HeaderField(":method", "GET"));

        decoder.Table.Count.Should().Be(0);
        decoder.Table.MaxSize.Should().Be(42);
    }

    [Fact]
    public void Decode_EntryLargerThanTable_EmptiesItWithoutError()
    {
        var decoder = new HpackDecoder(maxTableSize: 64);
        Decode(decoder, "4003 6162 6303 7879 7a");
        decoder.Table.Count.Should().Be(1);

        var value = new string('v', 40);
        var block = Hex.Bytes("4003 6162 63").Concat(new byte[] { 40 }).Concat(value.Select(c => (byte)c)).ToArray();
        var fields = new List<HeaderField>();
        decoder.Decode(block, fields);

        fields.Should().Equal(new HeaderField("abc", value));
        decoder.Table.Count.Should().Be(0);
        decoder.Table.Size.Should().Be(0);
    }

    [Theory]
    [InlineData("80", "index 0")]
    [InlineData("be", "index 62")]
    [InlineData("82 3f01", "size update follows a header field")]
    [InlineData("3fe21f", "over the 4096")]
    [InlineData("1f", "ends inside an integer")]
    [InlineData("ff ffff ffff 0f", "over 2^31 - 1")]
    [InlineData("000a 6162", "runs past the end")]
    [InlineData("00", "ends before a string")]
    [InlineData("0081 ff", "padding")]
    [InlineData("0084 ffff ffff", "EOS")]
    [InlineData("0081 18", "not the EOS prefix")]
    public void Decode_Malformed_CompressionErrorNamingTheFault(string hex, string expected)
    {
        var act = () => new HpackDecoder().Decode(Hex.Bytes(hex), []);

        act.Should().Throw<Http2ProtocolException>()
            .Where(e => e.Code == Http2ErrorCode.CompressionError)
            .WithMessage($"*{expected}*");
    }

    [Fact]
    public void Decode_OverTheHeaderListLimit_Refused()
    {
        var block = new List<byte> { 0x00, 0x01, (byte)'a', 0x7f, 0x81, 0x01 };
        block.AddRange(Enumerable.Repeat((byte)'x', 127 + 129));

        var act = () => new HpackDecoder(maxHeaderListSize: 200).Decode(block.ToArray(), []);

        act.Should().Throw<Http2ProtocolException>().WithMessage("*header list is over 200 octets*");
    }
}
