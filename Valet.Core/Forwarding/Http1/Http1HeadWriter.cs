using System.Text;
using Microsoft.Extensions.Primitives;

namespace Valet.Core.Forwarding.Http1;

/// <summary>
/// Writes a request head (request line, header lines, blank line) into one reused byte buffer,
/// straight from the strings Kestrel parsed: Latin-1, as SocketsHttpHandler encodes header values.
/// A character outside Latin-1, or CR, LF or NUL (which would split or end the head), makes the
/// request fail with <see cref="Http1RequestException"/> instead of reaching the endpoint.
/// </summary>
internal sealed class Http1HeadWriter
{
    private byte[] _buffer = new byte[2048];
    private int _length;

    public ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, _length);

    public void Reset() => _length = 0;

    /// <summary><c>METHOD target HTTP/1.1</c> and the <c>Host</c> line.</summary>
    public void RequestLine(string method, ReadOnlySpan<char> path, ReadOnlySpan<char> rest, ReadOnlySpan<char> query, string host)
    {
        Append(method);
        Append((byte)' ');
        if (path.IsEmpty && rest.IsEmpty) Append((byte)'/');
        AppendTarget(path);
        AppendTarget(rest);
        AppendTarget(query);
        Append(" HTTP/1.1\r\nHost: "u8);
        Append(host);
        Append("\r\n"u8);
    }

    /// <summary>
    /// A part of the request target as the client sent it, with what may not stand in a URI
    /// escaped as System.Uri escapes it on the pooled client's path: controls, space, DEL, non-ASCII
    /// (as UTF-8), <c>"&lt;&gt;\^`{|}</c>, and a '%' not followed by two hex digits (as %25).
    /// </summary>
    private void AppendTarget(ReadOnlySpan<char> part)
    {
        var first = IndexOfEscape(part, 0);
        if (first < 0)
        {
            Append(part);
            return;
        }

        Append(part[..first]);
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = first; i < part.Length; i++)
        {
            var c = part[i];
            if (c == '%')
            {
                if (i + 2 < part.Length && char.IsAsciiHexDigit(part[i + 1]) && char.IsAsciiHexDigit(part[i + 2])) Append((byte)'%');
                else Append("%25"u8);
            }
            else if (NeedsEscape(c))
            {
                Rune.DecodeFromUtf16(part[i..], out var rune, out var used);
                var count = rune.EncodeToUtf8(utf8);
                for (var b = 0; b < count; b++)
                {
                    Append((byte)'%');
                    Append((byte)"0123456789ABCDEF"[utf8[b] >> 4]);
                    Append((byte)"0123456789ABCDEF"[utf8[b] & 0xF]);
                }

                i += used - 1;
            }
            else
            {
                Append((byte)c);
            }
        }
    }

    private static int IndexOfEscape(ReadOnlySpan<char> part, int from)
    {
        for (var i = from; i < part.Length; i++)
        {
            var c = part[i];
            if (NeedsEscape(c)) return i;
            if (c == '%' && !(i + 2 < part.Length && char.IsAsciiHexDigit(part[i + 1]) && char.IsAsciiHexDigit(part[i + 2]))) return i;
        }

        return -1;
    }

    private static bool NeedsEscape(char c) => c <= ' ' || c >= '\u007f' || c is '"' or '<' or '>' or '\\' or '^' or '`' or '{' or '|' or '}';

    public void Header(string name, string value)
    {
        Append(name);
        Append(": "u8);
        Append(value);
        Append("\r\n"u8);
    }

    /// <summary>One line for all values: joined by ", " (by "; " for <c>Cookie</c>), as SocketsHttpHandler does.</summary>
    public void Header(string name, StringValues values)
    {
        if (values.Count == 1)
        {
            Header(name, values[0] ?? "");
            return;
        }

        Append(name);
        Append(": "u8);
        var separator = string.Equals(name, "Cookie", StringComparison.OrdinalIgnoreCase) ? "; "u8 : ", "u8;
        for (var i = 0; i < values.Count; i++)
        {
            if (i > 0) Append(separator);
            Append(values[i] ?? "");
        }

        Append("\r\n"u8);
    }

    public void End() => Append("\r\n"u8);

    private void Append(byte b)
    {
        Ensure(1);
        _buffer[_length++] = b;
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    private void Append(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty) return;
        Ensure(text.Length);
        var target = _buffer.AsSpan(_length, text.Length);
        // ASCII is nearly everything; Latin-1 otherwise; never CR, LF or NUL.
        if (Ascii.FromUtf16(text, target, out _) != System.Buffers.OperationStatus.Done)
        {
            if (text.ContainsAnyExceptInRange('\0', '\u00FF')) throw new Http1RequestException("a header or target holds a character outside Latin-1");
            Encoding.Latin1.GetBytes(text, target);
        }

        if (target.IndexOfAny((byte)'\r', (byte)'\n', (byte)0) >= 0) throw new Http1RequestException("a header or target holds CR, LF or NUL");
        _length += text.Length;
    }

    private void Ensure(int more)
    {
        if (_length + more <= _buffer.Length) return;
        Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + more));
    }
}

/// <summary>The request cannot be written as HTTP/1.1 (a character no header line may hold).</summary>
internal sealed class Http1RequestException(string message) : IOException(message);
