using System.Buffers;
using System.Text;

namespace Valet.Core.Forwarding.Http2;

/// <summary>
/// Decodes HPACK header blocks (RFC 7541): indexed fields, literals with and without indexing and
/// never indexed, Huffman-coded or raw strings, and dynamic table size updates. One decoder per
/// connection, fed every header block in order, since blocks share the dynamic table. Anything
/// malformed is an <see cref="Http2ProtocolException"/> with COMPRESSION_ERROR, which ends the
/// connection: after a failed block the table can no longer be trusted.
/// </summary>
internal sealed class HpackDecoder
{
    private readonly HpackDynamicTable _table;
    private readonly int _maxTableSize;
    private readonly int _maxHeaderListSize;

    /// <param name="maxTableSize">SETTINGS_HEADER_TABLE_SIZE this side announced (4096 by default); size updates above it are errors.</param>
    /// <param name="maxHeaderListSize">The most a block may decode to, counted as RFC 9113 §6.5.2 does (octets plus 32 per field).</param>
    public HpackDecoder(int maxTableSize = 4096, int maxHeaderListSize = 64 * 1024)
    {
        _maxTableSize = maxTableSize;
        _maxHeaderListSize = maxHeaderListSize;
        _table = new HpackDynamicTable(maxTableSize);
    }

    /// <summary>The dynamic table, for tests that follow RFC 7541 Appendix C.</summary>
    internal HpackDynamicTable Table => _table;

    /// <summary>Decodes one complete header block, appending its fields in order to <paramref name="fields"/>.</summary>
    public void Decode(ReadOnlySpan<byte> block, List<HeaderField> fields)
    {
        var at = 0;
        var listSize = 0;
        var fieldSeen = false;
        while (at < block.Length)
        {
            var first = block[at];
            HeaderField field;
            if ((first & 0x80) != 0)
            {
                // Indexed field (§6.1).
                field = Lookup(ReadInteger(block, ref at, 7));
            }
            else if ((first & 0xc0) == 0x40)
            {
                // Literal with incremental indexing (§6.2.1).
                field = ReadLiteral(block, ref at, 6);
                _table.Add(field);
            }
            else if ((first & 0xe0) == 0x20)
            {
                // Dynamic table size update (§6.3): only at the start of a block (§4.2).
                if (fieldSeen) throw Error("a dynamic table size update follows a header field; it must come first in the block");
                var size = ReadInteger(block, ref at, 5);
                if (size > _maxTableSize) throw Error($"a dynamic table size update to {size} octets is over the {_maxTableSize} Valet allows");
                _table.Resize(size);
                continue;
            }
            else
            {
                // Literal without indexing (0000xxxx, §6.2.2) or never indexed (0001xxxx, §6.2.3).
                field = ReadLiteral(block, ref at, 4);
            }

            fieldSeen = true;
            listSize += field.Size;
            if (listSize > _maxHeaderListSize) throw new Http2ProtocolException(Http2ErrorCode.ProtocolError, $"the endpoint's header list is over {_maxHeaderListSize} octets");
            fields.Add(field);
        }
    }

    private HeaderField ReadLiteral(ReadOnlySpan<byte> block, ref int at, int prefixBits)
    {
        var nameIndex = ReadInteger(block, ref at, prefixBits);
        var name = nameIndex == 0 ? ReadString(block, ref at) : Lookup(nameIndex).Name;
        var value = ReadString(block, ref at);
        return new HeaderField(name, value);
    }

    private HeaderField Lookup(int index)
    {
        if (index == 0) throw Error("a header field refers to index 0, which does not exist");
        if (index <= HpackStaticTable.Count) return HpackStaticTable.Get(index);
        var dynamic = index - HpackStaticTable.Count - 1;
        if (dynamic >= _table.Count) throw Error($"a header field refers to index {index}, past the {_table.Count} entries of the dynamic table");
        return _table[dynamic];
    }

    /// <summary>An integer with an N-bit prefix (§5.1); values past <see cref="int.MaxValue"/> are errors.</summary>
    internal static int ReadInteger(ReadOnlySpan<byte> block, ref int at, int prefixBits)
    {
        var mask = (1 << prefixBits) - 1;
        long value = block[at++] & mask;
        if (value < mask) return (int)value;
        var shift = 0;
        while (true)
        {
            if (at == block.Length) throw Error("the header block ends inside an integer");
            var octet = block[at++];
            value += (long)(octet & 0x7f) << shift;
            if (value > int.MaxValue) throw Error("an integer in the header block is over 2^31 - 1");
            if ((octet & 0x80) == 0) return (int)value;
            shift += 7;
        }
    }

    /// <summary>A string literal (§5.2), raw or Huffman-coded, as Latin-1 (one character per octet).</summary>
    private string ReadString(ReadOnlySpan<byte> block, ref int at)
    {
        if (at == block.Length) throw Error("the header block ends before a string");
        var huffman = (block[at] & 0x80) != 0;
        var length = ReadInteger(block, ref at, 7);
        if (length > block.Length - at) throw Error($"a {length}-octet string runs past the end of the header block");
        var encoded = block.Slice(at, length);
        at += length;
        if (!huffman) return Encoding.Latin1.GetString(encoded);
        if (HpackHuffman.MaxDecodedLength(length) > _maxHeaderListSize)
        {
            throw new Http2ProtocolException(Http2ErrorCode.ProtocolError, $"the endpoint's header list is over {_maxHeaderListSize} octets");
        }

        var rented = ArrayPool<byte>.Shared.Rent(Math.Max(1, HpackHuffman.MaxDecodedLength(length)));
        try
        {
            var written = HpackHuffman.Decode(encoded, rented);
            return Encoding.Latin1.GetString(rented, 0, written);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static Http2ProtocolException Error(string message) => new(Http2ErrorCode.CompressionError, message);
}
