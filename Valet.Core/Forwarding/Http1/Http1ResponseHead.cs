using System.Buffers.Text;
using System.Text;

namespace Valet.Core.Forwarding.Http1;

/// <summary>How an answer's body is delimited (RFC 9112 §6.3).</summary>
internal enum Http1BodyKind
{
    /// <summary>No body: HEAD, 1xx, 204, 304, or Content-Length 0.</summary>
    None,

    /// <summary>Exactly <see cref="Http1ResponseHead.ContentLength"/> bytes.</summary>
    ContentLength,

    /// <summary>Chunked transfer coding, possibly with trailers.</summary>
    Chunked,

    /// <summary>Until the endpoint closes the connection.</summary>
    UntilClose,
}

/// <summary>
/// A parsed response head: status line and the header lines as offsets into the connection's
/// buffer (the head is validated whole before any of it reaches the client's response, so an
/// invalid head leaves nothing behind for the 502 that answers it).
/// </summary>
internal sealed class Http1ResponseHead
{
    private readonly List<(int NameStart, int NameLength, int ValueStart, int ValueLength)> _fields = new(16);

    public int Status { get; private set; }

    public bool IsHttp10 { get; private set; }

    public Range Reason { get; private set; }

    public int Length { get; private set; }

    public long ContentLength { get; private set; }

    public bool Chunked { get; private set; }

    public bool ConnectionClose { get; private set; }

    /// <summary>
    /// Whether <c>Connection</c> names headers to drop before the answer goes on (a token other than
    /// <c>close</c> and <c>keep-alive</c>: <c>Keep-Alive</c> is hop-by-hop anyway). Nearly every answer
    /// says only <c>keep-alive</c> or <c>close</c>, and needs no second pass over its headers.
    /// </summary>
    public bool HasConnectionTokens { get; private set; }

    public bool HasTransferEncoding { get; private set; }

    public int FieldCount => _fields.Count;

    public (int NameStart, int NameLength, int ValueStart, int ValueLength) Field(int i) => _fields[i];

    /// <summary>How the body that follows is delimited, for a request with <paramref name="method"/>.</summary>
    public Http1BodyKind BodyKind(string method)
    {
        if (Status is < 200 or 204 or 304 || IsHead(method)) return Http1BodyKind.None;
        if (HasTransferEncoding) return Chunked ? Http1BodyKind.Chunked : Http1BodyKind.UntilClose;
        if (ContentLength >= 0) return ContentLength == 0 ? Http1BodyKind.None : Http1BodyKind.ContentLength;
        return Http1BodyKind.UntilClose;
    }

    /// <summary>Whether the connection can take another request once the body was read whole.</summary>
    public bool KeepAlive(Http1BodyKind body) => !ConnectionClose && !IsHttp10 && body != Http1BodyKind.UntilClose;

    private static bool IsHead(string method) => string.Equals(method, "HEAD", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Parses the head at the start of <paramref name="buffer"/>; false when it is not complete yet.
    /// Throws <see cref="Http1ResponseException"/> for anything RFC 9112 says a client must reject:
    /// a status line that is not HTTP/1.0 or 1.1 with three digits, a field line without a colon, a
    /// space before the colon, obsolete line folding, conflicting Content-Length values.
    /// </summary>
    public bool TryParse(ReadOnlySpan<byte> buffer)
    {
        var end = buffer.IndexOf("\r\n\r\n"u8);
        if (end < 0) return false;
        _fields.Clear();
        Length = end + 4;
        ContentLength = -1;
        Chunked = ConnectionClose = HasConnectionTokens = HasTransferEncoding = false;

        var lineEnd = buffer.IndexOf("\r\n"u8);
        ParseStatusLine(buffer[..lineEnd]);
        var position = lineEnd + 2;
        while (position < end + 2)
        {
            var line = buffer[position..];
            var length = line.IndexOf("\r\n"u8);
            line = line[..length];
            if (line[0] is (byte)' ' or (byte)'\t') throw new Http1ResponseException("obsolete line folding in the answer's head");
            var colon = line.IndexOf((byte)':');
            if (colon <= 0) throw new Http1ResponseException("a header line of the answer has no name or no colon");
            var name = line[..colon];
            if (name.IndexOfAnyExcept(TokenChars) >= 0) throw new Http1ResponseException("a header name of the answer is not a token");
            var valueStart = colon + 1;
            while (valueStart < line.Length && line[valueStart] is (byte)' ' or (byte)'\t') valueStart++;
            var valueEnd = line.Length;
            while (valueEnd > valueStart && line[valueEnd - 1] is (byte)' ' or (byte)'\t') valueEnd--;
            var value = line[valueStart..valueEnd];
            if (value.IndexOf((byte)0) >= 0) throw new Http1ResponseException("a header value of the answer holds NUL");
            Note(name, value);
            _fields.Add((position, colon, position + valueStart, valueEnd - valueStart));
            position += length + 2;
        }

        return true;
    }

    private void ParseStatusLine(ReadOnlySpan<byte> line)
    {
        // HTTP/1.x SP 3DIGIT [SP reason]
        if (line.Length < 12 || !line.StartsWith("HTTP/1."u8) || line[7] is not ((byte)'0' or (byte)'1') || line[8] != (byte)' '
            || !IsDigit(line[9]) || !IsDigit(line[10]) || !IsDigit(line[11]) || (line.Length > 12 && line[12] != (byte)' '))
        {
            throw new Http1ResponseException("the answer's status line is not HTTP/1.0 or HTTP/1.1 with a 3-digit status");
        }

        IsHttp10 = line[7] == (byte)'0';
        Status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
        if (Status < 100) throw new Http1ResponseException($"the answer's status {Status} is not a status");
        Reason = line.Length > 13 ? new Range(13, line.Length) : new Range(0, 0);
    }

    private void Note(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
        {
            if (!Utf8Parser.TryParse(value, out long length, out var used) || used != value.Length || length < 0)
            {
                throw new Http1ResponseException("the answer's Content-Length is not a number");
            }

            if (ContentLength >= 0 && ContentLength != length) throw new Http1ResponseException("the answer has conflicting Content-Length values");
            ContentLength = length;
        }
        else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
        {
            HasTransferEncoding = true;
            // Chunked only when it is the final coding.
            var last = value.LastIndexOf((byte)',');
            Chunked = Ascii.EqualsIgnoreCase(value[(last + 1)..].Trim((byte)' '), "chunked"u8);
        }
        else if (Ascii.EqualsIgnoreCase(name, "Connection"u8))
        {
            foreach (var range in value.Split((byte)','))
            {
                var token = value[range].Trim((byte)' ');
                if (Ascii.EqualsIgnoreCase(token, "close"u8)) ConnectionClose = true;
                else if (!token.IsEmpty && !Ascii.EqualsIgnoreCase(token, "keep-alive"u8)) HasConnectionTokens = true;
            }
        }
    }

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';

    private static readonly System.Buffers.SearchValues<byte> TokenChars =
        System.Buffers.SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);
}
