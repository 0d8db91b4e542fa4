namespace Valet.Core.Forwarding.Http2;

/// <summary>
/// Encodes header blocks without touching any dynamic table: a static-table index where the whole
/// field is there (<c>:method GET</c>), else a literal without indexing, naming the static entry
/// when the name is there (RFC 7541 §6.2.2), strings raw (no Huffman). Stateless, so the peer's
/// SETTINGS_HEADER_TABLE_SIZE never matters and blocks can be encoded in any order. Names are sent
/// lower-case, as HTTP/2 requires (RFC 9113 §8.2.1).
/// </summary>
internal static class HpackEncoder
{
    /// <summary>An upper bound of what <see cref="Encode"/> writes for <paramref name="fields"/>.</summary>
    public static int MaxLength(List<HeaderField> fields)
    {
        // A size update, then per field: first octet + up to 5 for an index or length, twice, and the strings.
        var length = 1;
        foreach (var field in fields) length += 18 + field.Name.Length + field.Value.Length;
        return length;
    }

    /// <summary>
    /// Writes <paramref name="fields"/> as one header block and returns its length. With
    /// <paramref name="emptyTable"/> the block starts with a dynamic table size update to 0: this
    /// encoder's table is empty whatever the peer's limit, and saying so once keeps it compliant
    /// (RFC 7541 §4.2) if the peer lowers SETTINGS_HEADER_TABLE_SIZE.
    /// </summary>
    public static int Encode(List<HeaderField> fields, Span<byte> destination, bool emptyTable = false)
    {
        var at = 0;
        if (emptyTable) WriteInteger(destination, ref at, 0, 5, 0x20);
        foreach (var field in fields)
        {
            if (field.Name.Length == 0) throw new HttpRequestException("a header with an empty name cannot be sent over HTTP/2");
            var name = field.Name.ToLowerInvariant();
            var exact = HpackStaticTable.IndexOf(name, field.Value);
            if (exact != 0)
            {
                WriteInteger(destination, ref at, exact, 7, 0x80);
                continue;
            }

            var nameIndex = HpackStaticTable.IndexOfName(name);
            WriteInteger(destination, ref at, nameIndex, 4, 0x00);
            if (nameIndex == 0) WriteString(destination, ref at, name, field.Name);
            WriteString(destination, ref at, field.Value, field.Name);
        }

        return at;
    }

    /// <summary>An integer with an N-bit prefix (§5.1), the prefix's other bits being <paramref name="pattern"/>.</summary>
    internal static void WriteInteger(Span<byte> destination, ref int at, int value, int prefixBits, byte pattern)
    {
        var max = (1 << prefixBits) - 1;
        if (value < max)
        {
            destination[at++] = (byte)(pattern | value);
            return;
        }

        destination[at++] = (byte)(pattern | max);
        value -= max;
        while (value >= 0x80)
        {
            destination[at++] = (byte)(0x80 | (value & 0x7f));
            value >>= 7;
        }

        destination[at++] = (byte)value;
    }

    /// <summary>A raw string literal; a character above U+00FF cannot be one octet, so it is refused.</summary>
    private static void WriteString(Span<byte> destination, ref int at, string value, string headerName)
    {
        WriteInteger(destination, ref at, value.Length, 7, 0x00);
        foreach (var c in value)
        {
            if (c > '\u00ff') throw new HttpRequestException($"header '{headerName}' holds the character U+{(int)c:X4}, which HTTP/2 cannot carry as one octet");
            destination[at++] = (byte)c;
        }
    }
}
