using System.Text;

namespace Valet.Peering.Protocol;

/// <summary>
/// The percent-encoding of <c>grpc-message</c>: UTF-8 bytes outside 0x20–0x7E, and '%', become %XX.
/// Decoding never fails: a malformed escape is kept as it is.
/// </summary>
public static class GrpcMessageEncoding
{
    public static string Encode(string message)
    {
        var needs = false;
        foreach (var c in message)
        {
            if (c is < ' ' or > '~' or '%') { needs = true; break; }
        }

        if (!needs) return message;
        var bytes = Encoding.UTF8.GetBytes(message);
        var builder = new StringBuilder(bytes.Length * 2);
        foreach (var b in bytes)
        {
            if (b is < 0x20 or > 0x7E or (byte)'%') builder.Append('%').Append(Hex[b >> 4]).Append(Hex[b & 0xF]);
            else builder.Append((char)b);
        }

        return builder.ToString();
    }

    public static string Decode(string value)
    {
        if (!value.Contains('%', StringComparison.Ordinal)) return value;
        var bytes = new List<byte>(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '%' && i + 2 < value.Length && IsHex(value[i + 1]) && IsHex(value[i + 2]))
            {
                bytes.Add((byte)((HexValue(value[i + 1]) << 4) | HexValue(value[i + 2])));
                i += 2;
            }
            else if (c <= 0x7F)
            {
                bytes.Add((byte)c);
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
            }
        }

        // Invalid UTF-8 becomes U+FFFD rather than an exception.
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private const string Hex = "0123456789ABCDEF";

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
