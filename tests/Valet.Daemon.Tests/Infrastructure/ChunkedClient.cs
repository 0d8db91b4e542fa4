using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Valet.Daemon.Tests.Infrastructure;

/// <summary>An answer read off a raw connection: status, headers (last one wins) and the decoded body.</summary>
public sealed record RawAnswer(int Status, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string Text => Encoding.UTF8.GetString(Body);
}

/// <summary>
/// HTTP/1.1 requests with a chunked body and trailers, written by hand: HttpClient cannot send
/// request trailers. The answer is read and decoded (Content-Length, chunked, or until close).
/// </summary>
public static class ChunkedClient
{
    /// <summary>The request head and chunked body with its trailers, as bytes (the caller may send them in parts).</summary>
    public static byte[] Request(string method, string target, IEnumerable<(string Name, string Value)> headers, byte[] body,
        IEnumerable<(string Name, string Value)> trailers, int chunkSize = 16 * 1024)
    {
        var output = new MemoryStream();
        // Connection: close unless the caller sends a Connection header of its own (Kestrel then
        // shows only "close" to the gateway, hiding the names listed with it).
        var head = new StringBuilder($"{method} {target} HTTP/1.1\r\nHost: valet.test\r\nTransfer-Encoding: chunked\r\n");
        var connection = "close";
        foreach (var (name, value) in headers)
        {
            if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase)) connection = value;
            else head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        head.Append("Connection: ").Append(connection).Append("\r\n");
        head.Append("\r\n");
        output.Write(Encoding.Latin1.GetBytes(head.ToString()));
        for (var at = 0; at < body.Length; at += chunkSize)
        {
            var n = Math.Min(chunkSize, body.Length - at);
            output.Write(Encoding.ASCII.GetBytes(n.ToString("x", CultureInfo.InvariantCulture) + "\r\n"));
            output.Write(body, at, n);
            output.Write("\r\n"u8);
        }

        var tail = new StringBuilder("0\r\n");
        foreach (var (name, value) in trailers) tail.Append(name).Append(": ").Append(value).Append("\r\n");
        tail.Append("\r\n");
        output.Write(Encoding.Latin1.GetBytes(tail.ToString()));
        return output.ToArray();
    }

    public static async Task<RawAnswer> SendAsync(Uri server, string target, IEnumerable<(string Name, string Value)> headers, byte[] body,
        IEnumerable<(string Name, string Value)> trailers, string method = "POST")
    {
        using var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(server.Host, server.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Request(method, target, headers, body, trailers));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            if (read == 0) return TryParse(received.ToArray(), closed: true)!;
            received.Write(buffer, 0, read);
            if (TryParse(received.ToArray(), closed: false) is { } answer) return answer;
        }
    }

    /// <summary>Decodes one answer; null while it is incomplete and the server has not <paramref name="closed"/>.</summary>
    public static RawAnswer? TryParse(byte[] bytes, bool closed)
    {
        var end = bytes.AsSpan().IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            if (closed) throw new InvalidDataException($"no complete answer head in {bytes.Length} bytes");
            return null;
        }

        var lines = Encoding.Latin1.GetString(bytes, 0, end).Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':');
            headers[line[..colon]] = line[(colon + 1)..].Trim();
        }

        var rest = bytes.AsSpan(end + 4);
        if (headers.TryGetValue("Content-Length", out var length))
        {
            var count = int.Parse(length, CultureInfo.InvariantCulture);
            if (rest.Length < count) return closed ? throw new InvalidDataException($"the body ended after {rest.Length} of {count} bytes") : null;
            return new RawAnswer(status, headers, rest[..count].ToArray());
        }

        if (!headers.TryGetValue("Transfer-Encoding", out var coding) || !coding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            return closed ? new RawAnswer(status, headers, rest.ToArray()) : null;
        }

        var body = new MemoryStream();
        while (true)
        {
            var lineEnd = rest.IndexOf("\r\n"u8);
            if (lineEnd < 0) return closed ? throw new InvalidDataException("the chunked body ended early") : null;
            var size = int.Parse(Encoding.ASCII.GetString(rest[..lineEnd]).Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            rest = rest[(lineEnd + 2)..];
            if (size == 0) break;
            if (rest.Length < size + 2) return closed ? throw new InvalidDataException("the chunked body ended early") : null;
            body.Write(rest[..size]);
            rest = rest[(size + 2)..];
        }

        return new RawAnswer(status, headers, body.ToArray());
    }
}
