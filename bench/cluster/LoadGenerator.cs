using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace Valet.Bench.Cluster;

/// <summary>One answer: when it arrived (unix ms), its status (0 = connection failed), the node asked and how long it took.</summary>
public readonly record struct Sample(long ReceivedMs, int Status, int Node, double LatencyMs = 0);

/// <summary>
/// Open-loop load: requests are due on a fixed schedule whatever the answers take (a slow node does
/// not slow the offered load), split between the two nodes by a fixed ratio. Each node is asked over
/// a fixed set of keep-alive HTTP/1.1 connections written and read on raw sockets (a request is a
/// pre-built byte string; an answer is parsed only for its status and length), so the generator
/// costs a few microseconds a request and leaves the cores to the nodes. A request's latency is
/// measured from when it was due, not when a connection was free: queueing in the generator counts.
/// </summary>
public static class LoadGenerator
{
    private const int ConnectionsPerNode = 32;

    public static async Task<List<Sample>> RunAsync(Pair pair, string app, double rate, double shareOfA, TimeSpan duration,
        Func<TimeSpan, Task>? during = null)
    {
        var samples = new ConcurrentQueue<Sample>();
        var due = new[] { Channel.CreateUnbounded<long>(new() { SingleWriter = true }), Channel.CreateUnbounded<long>(new() { SingleWriter = true }) };
        var workers = new List<Task>();
        for (var node = 0; node < 2; node++)
        {
            var request = Encoding.ASCII.GetBytes($"GET /{app}/x HTTP/1.1\r\nHost: 127.0.0.1:{pair[node].Port}\r\n\r\n");
            for (var c = 0; c < ConnectionsPerNode; c++) workers.Add(WorkAsync(pair[node].Port, node, request, due[node].Reader, samples));
        }

        var clock = Stopwatch.StartNew();
        var action = during?.Invoke(duration) ?? Task.CompletedTask;
        long sent = 0;
        while (clock.Elapsed < duration)
        {
            var owed = (long)(clock.Elapsed.TotalSeconds * rate);
            var now = Stopwatch.GetTimestamp();
            while (sent < owed)
            {
                var node = (sent % 100) < shareOfA * 100 ? 0 : 1;
                sent++;
                due[node].Writer.TryWrite(now);
            }

            await Task.Delay(1);
        }

        foreach (var channel in due) channel.Writer.Complete();
        await Task.WhenAll(workers);
        await action;
        return [.. samples];
    }

    /// <summary>One connection: takes the next due request, sends it, reads the answer; reconnects after a failure.</summary>
    private static async Task WorkAsync(int port, int node, byte[] request, ChannelReader<long> due, ConcurrentQueue<Sample> samples)
    {
        var buffer = new byte[16 * 1024];
        Socket? socket = null;
        while (await due.WaitToReadAsync())
        {
            if (!due.TryRead(out var dueAt)) continue;
            int status;
            try
            {
                if (socket is null)
                {
                    socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
                }

                await socket.SendAsync(request);
                (status, var keepAlive) = await ReadAnswerAsync(socket, buffer);
                if (!keepAlive)
                {
                    socket.Dispose();
                    socket = null;
                }
            }
            catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException)
            {
                socket?.Dispose();
                socket = null;
                status = 0;
            }

            samples.Enqueue(new Sample(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), status, node, Stopwatch.GetElapsedTime(dueAt).TotalMilliseconds));
        }

        socket?.Dispose();
    }

    /// <summary>Reads one answer (head, then a Content-Length body); returns its status and whether the connection stays open.</summary>
    private static async Task<(int Status, bool KeepAlive)> ReadAnswerAsync(Socket socket, byte[] buffer)
    {
        var filled = 0;
        int headEnd;
        while ((headEnd = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0)
        {
            if (filled == buffer.Length) throw new IOException("answer head larger than the generator's buffer");
            var read = await socket.ReceiveAsync(buffer.AsMemory(filled));
            if (read == 0) throw new IOException("connection closed before an answer");
            filled += read;
        }

        var (status, length, keepAlive) = ParseHead(buffer.AsSpan(0, headEnd + 2));
        var body = filled - (headEnd + 4);
        while (body < length)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, length - body)));
            if (read == 0) throw new IOException("connection closed in an answer's body");
            body += read;
        }

        if (body > length) throw new IOException("bytes after the answer's body (the generator does not pipeline)");
        return (status, keepAlive);
    }

    private static (int Status, long Length, bool KeepAlive) ParseHead(ReadOnlySpan<byte> head)
    {
        // "HTTP/1.1 200 OK\r\n" then "Name: value\r\n" lines.
        if (head.Length < 12 || !Utf8Parser.TryParse(head.Slice(9, 3), out int status, out _))
            throw new IOException("not an HTTP/1.1 status line");
        long length = -1;
        var keepAlive = true;
        var lines = head[(head.IndexOf("\r\n"u8) + 2)..];
        while (lines.Length > 0)
        {
            var end = lines.IndexOf("\r\n"u8);
            var line = lines[..end];
            lines = lines[(end + 2)..];
            var colon = line.IndexOf((byte)':');
            if (colon < 0) continue;
            var name = line[..colon];
            var value = line[(colon + 1)..].Trim((byte)' ');
            if (Ascii.EqualsIgnoreCase(name, "content-length"u8))
            {
                if (!Utf8Parser.TryParse(value, out length, out _)) throw new IOException("bad Content-Length");
            }
            else if (Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8))
            {
                throw new IOException("chunked answer: the generator reads Content-Length bodies only");
            }
            else if (Ascii.EqualsIgnoreCase(name, "connection"u8) && Ascii.EqualsIgnoreCase(value, "close"u8))
            {
                keepAlive = false;
            }
        }

        if (length < 0) throw new IOException("answer without Content-Length");
        return (status, length, keepAlive);
    }

    /// <summary>Admitted answers per window (by arrival time: at 5x the limit is spent early in each window).</summary>
    public static SortedDictionary<long, int> AdmittedPerWindow(IEnumerable<Sample> samples, int periodSeconds)
    {
        var perWindow = new SortedDictionary<long, int>();
        foreach (var s in samples)
        {
            var window = s.ReceivedMs / (periodSeconds * 1000L);
            perWindow.TryAdd(window, 0);
            if (s.Status == 200) perWindow[window]++;
        }

        // The first and last windows were only partly loaded.
        if (perWindow.Count > 2)
        {
            perWindow.Remove(perWindow.Keys.First());
            perWindow.Remove(perWindow.Keys.Last());
        }

        return perWindow;
    }
}
