using System.Buffers;
using System.Buffers.Text;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using Valet.Core.Routing;

namespace Valet.Core.Forwarding.Http1;

/// <summary>
/// Puts an endpoint's HTTP/1.1 answer on the client's response: the head's status, reason and
/// headers (the same rules as <see cref="HttpForwarder.CopyResponseHeaders"/>: hop-by-hop and
/// stripped headers stay behind, the gateway's own win, <c>Vary</c> is merged, a header the answer
/// repeats keeps every value), then the body as it was delimited, then chunked trailers.
/// </summary>
internal static class Http1ResponseWriter
{
    private const int LargeCopyBuffer = 64 * 1024;
    private const int MaxChunkLine = 4096;

    // Header names answers nearly always carry, so that reading them allocates no string.
    private static readonly string[] KnownNames =
    [
        "Content-Type", "Content-Length", "Date", "Server", "Connection", "Cache-Control", "ETag", "Last-Modified", "Vary",
        "Content-Encoding", "Set-Cookie", "Location", "Expires", "Keep-Alive", "Transfer-Encoding", "Access-Control-Allow-Origin",
        "X-Content-Type-Options", "Strict-Transport-Security", "Accept-Ranges", "Age", "Pragma", "X-Request-Id", "traceparent",
        "Content-Language", "Content-Disposition", "Allow", "Retry-After", "WWW-Authenticate", "Trailer", "Upgrade",
    ];

    /// <summary>Status, reason and headers of <paramref name="head"/> (in <paramref name="buffer"/>) onto the client's response.</summary>
    public static void WriteHead(HttpContext context, Http1ResponseHead head, ReadOnlySpan<byte> buffer, AppModel app)
    {
        var response = context.Response;
        response.StatusCode = head.Status;
        var reason = buffer[head.Reason];
        if (!reason.IsEmpty && !Ascii.Equals(reason, ReasonPhrases.GetReasonPhrase(head.Status)))
        {
            context.Features.Get<IHttpResponseFeature>()!.ReasonPhrase = Encoding.Latin1.GetString(reason);
        }

        var target = response.Headers;
        var strip = app.StripResponseHeaders;
        // Names set from this answer (a repeated one appends); a few, so a list is enough.
        List<string>? fromAnswer = null;
        for (var i = 0; i < head.FieldCount; i++)
        {
            var (nameStart, nameLength, valueStart, valueLength) = head.Field(i);
            var name = Name(buffer.Slice(nameStart, nameLength));
            if (HeaderRules.HopByHop.Contains(name) || strip.Matches(name)) continue;
            // The answer's Content-Length means nothing next to a transfer coding (RFC 9112 §6.3).
            if (head.HasTransferEncoding && string.Equals(name, "Content-Length", StringComparison.OrdinalIgnoreCase)) continue;
            var value = Encoding.Latin1.GetString(buffer.Slice(valueStart, valueLength));
            if (HeaderRules.HasUnsafeCharacters(value)) continue;
            if (target.TryGetValue(name, out var existing))
            {
                if (Contains(fromAnswer, name) || string.Equals(name, "Vary", StringComparison.OrdinalIgnoreCase))
                {
                    target[name] = StringValues.Concat(existing, value);
                }

                continue;
            }

            target[name] = value;
            (fromAnswer ??= new List<string>(head.FieldCount)).Add(name);
        }

        if (head.HasConnectionTokens) RemoveConnectionListed(head, buffer, target);
    }

    /// <summary>
    /// Copies the body to the client. Success means the body was read whole and the connection may
    /// be reused (when the head allows it and nothing follows the body in the buffer).
    /// </summary>
    public static async ValueTask<ForwardResult> CopyBodyAsync(Http1Connection connection, Http1BodyKind kind, long length, HttpContext context,
        Diagnostics.RequestRecord record, CancellationToken token)
    {
        record.BytesOut = 0;
        var body = context.Response.Body;
        try
        {
            switch (kind)
            {
                case Http1BodyKind.None:
                    return ForwardOutcome.Success;
                case Http1BodyKind.ContentLength:
                    return await CopyLengthAsync(connection, length, body, record, token).ConfigureAwait(false);
                case Http1BodyKind.Chunked:
                    return await CopyChunkedAsync(connection, context, body, record, token).ConfigureAwait(false);
                default:
                    return await CopyLengthAsync(connection, long.MaxValue, body, record, token).ConfigureAwait(false);
            }
        }
        catch (ClientWriteException)
        {
            return ForwardOutcome.ClientAborted;
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or OperationCanceledException)
        {
            if (context.RequestAborted.IsCancellationRequested) return ForwardOutcome.ClientAborted;
            context.Abort();
            return new ForwardResult(ForwardOutcome.ResponseFailed, e);
        }
    }

    /// <summary><paramref name="length"/> bytes (long.MaxValue: until the endpoint closes).</summary>
    private static async ValueTask<ForwardResult> CopyLengthAsync(Http1Connection connection, long length, Stream body, Diagnostics.RequestRecord record,
        CancellationToken token)
    {
        var untilClose = length == long.MaxValue;
        var remaining = length;
        if (connection.BufferedCount > 0)
        {
            var take = (int)Math.Min(remaining, connection.BufferedCount);
            await WriteAsync(body, connection.BufferedMemory[..take], record, token).ConfigureAwait(false);
            connection.Consume(take);
            remaining -= take;
        }

        if (remaining == 0) return ForwardOutcome.Success;
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(LargeCopyBuffer, Math.Max(remaining, 512)));
        try
        {
            while (remaining > 0)
            {
                var read = await connection.ReceiveAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)), token).ConfigureAwait(false);
                if (read == 0)
                {
                    if (untilClose) return ForwardOutcome.Success;
                    throw new Http1ResponseException($"the endpoint closed the connection {remaining} bytes before the end of the body");
                }

                await WriteAsync(body, buffer.AsMemory(0, read), record, token).ConfigureAwait(false);
                remaining -= read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return ForwardOutcome.Success;
    }

    /// <summary>Chunks (size line, data, CRLF) up to the last chunk, then its trailer section.</summary>
    private static async ValueTask<ForwardResult> CopyChunkedAsync(Http1Connection connection, HttpContext context, Stream body,
        Diagnostics.RequestRecord record, CancellationToken token)
    {
        while (true)
        {
            var line = await ReadLineAsync(connection, token).ConfigureAwait(false);
            var size = ChunkSize(connection.Buffered[..line]);
            connection.Consume(line + 2);
            if (size == 0) break;
            var remaining = size;
            while (remaining > 0)
            {
                if (connection.BufferedCount == 0 && !await connection.FillAsync(Http1Connection.ReadBufferSize, token).ConfigureAwait(false))
                {
                    throw new Http1ResponseException("the endpoint closed the connection inside a chunk");
                }

                var take = (int)Math.Min(remaining, connection.BufferedCount);
                await WriteAsync(body, connection.BufferedMemory[..take], record, token).ConfigureAwait(false);
                connection.Consume(take);
                remaining -= take;
            }

            var crlf = await ReadLineAsync(connection, token).ConfigureAwait(false);
            if (crlf != 0) throw new Http1ResponseException("a chunk of the answer is longer than its size");
            connection.Consume(2);
        }

        // The trailer section: field lines up to an empty line.
        var trailers = context.Response.SupportsTrailers();
        while (true)
        {
            var line = await ReadLineAsync(connection, token).ConfigureAwait(false);
            if (line == 0)
            {
                connection.Consume(2);
                return ForwardOutcome.Success;
            }

            if (trailers) AppendTrailer(context, connection.Buffered[..line]);
            connection.Consume(line + 2);
        }
    }

    /// <summary>The length of the next line in the buffer (without its CRLF), reading more as needed.</summary>
    private static async ValueTask<int> ReadLineAsync(Http1Connection connection, CancellationToken token)
    {
        while (true)
        {
            var end = connection.Buffered.IndexOf("\r\n"u8);
            if (end >= 0) return end;
            if (connection.BufferedCount > MaxChunkLine) throw new Http1ResponseException("a chunk-size or trailer line of the answer is too long");
            if (!await connection.FillAsync(Http1Connection.ReadBufferSize, token).ConfigureAwait(false))
            {
                throw new Http1ResponseException("the endpoint closed the connection inside the chunked body");
            }
        }
    }

    /// <summary>A chunk-size line: hex digits, then optional extensions after ';'.</summary>
    internal static long ChunkSize(ReadOnlySpan<byte> line)
    {
        var semicolon = line.IndexOf((byte)';');
        var digits = (semicolon >= 0 ? line[..semicolon] : line).TrimEnd(" \t"u8);
        if (digits.IsEmpty || digits.Length > 15 || !Utf8Parser.TryParse(digits, out long size, out var used, 'X') || used != digits.Length)
        {
            throw new Http1ResponseException("a chunk size of the answer is not hexadecimal");
        }

        return size;
    }

    private static void AppendTrailer(HttpContext context, ReadOnlySpan<byte> line)
    {
        var colon = line.IndexOf((byte)':');
        if (colon <= 0) throw new Http1ResponseException("a trailer line of the answer has no name or no colon");
        var name = Encoding.Latin1.GetString(line[..colon]);
        var value = Encoding.Latin1.GetString(line[(colon + 1)..].Trim(" \t"u8));
        if (HeaderRules.HopByHop.Contains(name) || HeaderRules.HasUnsafeCharacters(value) || HeaderRules.HasUnsafeCharacters(name)) return;
        context.Response.AppendTrailer(name, value);
    }

    private static async ValueTask WriteAsync(Stream body, ReadOnlyMemory<byte> bytes, Diagnostics.RequestRecord record, CancellationToken token)
    {
        try
        {
            await body.WriteAsync(bytes, token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            throw new ClientWriteException(e);
        }

        record.BytesOut += bytes.Length;
    }

    private static string Name(ReadOnlySpan<byte> name)
    {
        foreach (var known in KnownNames)
        {
            if (known.Length == name.Length && Ascii.EqualsIgnoreCase(name, known)) return known;
        }

        return Encoding.ASCII.GetString(name);
    }

    private static bool Contains(List<string>? names, string name)
    {
        if (names is null) return false;
        foreach (var n in names)
        {
            if (string.Equals(n, name, StringComparison.OrdinalIgnoreCase)) return true;
        }

        return false;
    }

    private static void RemoveConnectionListed(Http1ResponseHead head, ReadOnlySpan<byte> buffer, IHeaderDictionary target)
    {
        for (var i = 0; i < head.FieldCount; i++)
        {
            var (nameStart, nameLength, valueStart, valueLength) = head.Field(i);
            if (!Ascii.EqualsIgnoreCase(buffer.Slice(nameStart, nameLength), "Connection"u8)) continue;
            var value = buffer.Slice(valueStart, valueLength);
            foreach (var range in value.Split((byte)','))
            {
                var token = value[range].Trim((byte)' ');
                if (!token.IsEmpty) target.Remove(Encoding.ASCII.GetString(token));
            }
        }
    }

    /// <summary>Writing to the client failed: the client went away, not the endpoint.</summary>
    private sealed class ClientWriteException(Exception inner) : Exception(inner.Message, inner);
}
