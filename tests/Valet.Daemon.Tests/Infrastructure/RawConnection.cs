using System.Net.Sockets;
using System.Text;

namespace Valet.Daemon.Tests.Infrastructure;

/// <summary>
/// One TCP connection that sends bytes exactly as given (malformed requests, one byte at a time)
/// and reads whatever comes back until the server closes. Where <see cref="RawHttp"/> sends one
/// well-formed request, this one is for requests a server must refuse.
/// </summary>
public sealed class RawConnection : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly MemoryStream _received = new();
    private Task<int>? _pendingRead;
    private readonly byte[] _buffer = new byte[64 * 1024];

    private RawConnection(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
    }

    /// <summary>Whether the server has closed (or reset) the connection, as far as this side has seen.</summary>
    public bool Closed { get; private set; }

    /// <summary>Everything received so far, as Latin-1 text (bytes preserved one to one).</summary>
    public string Received => Encoding.Latin1.GetString(_received.GetBuffer(), 0, (int)_received.Length);

    /// <summary>The status of the first answer, or null when none (yet).</summary>
    public int? FirstStatus => Received.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) && Received.Length >= 12
        ? int.Parse(Received.AsSpan(9, 3), System.Globalization.CultureInfo.InvariantCulture)
        : null;

    /// <summary>How many answers (status lines) arrived: a second one means a second request was read from the bytes.</summary>
    public int Answers
    {
        get
        {
            var text = Received;
            var count = 0;
            for (var at = text.IndexOf("HTTP/1.1 ", StringComparison.Ordinal); at >= 0; at = text.IndexOf("HTTP/1.1 ", at + 1, StringComparison.Ordinal))
            {
                if (at == 0 || text[at - 1] == '\n') count++;
            }

            return count;
        }
    }

    public static async Task<RawConnection> OpenAsync(Uri server)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(server.Host, server.Port);
        return new RawConnection(client);
    }

    /// <summary>Sends bytes; false when the server has already closed (the write failed).</summary>
    public async Task<bool> TrySendAsync(byte[] bytes)
    {
        try
        {
            await _stream.WriteAsync(bytes);
            await _stream.FlushAsync();
            return true;
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            Closed = true;
            return false;
        }
    }

    public Task<bool> TrySendAsync(string text) => TrySendAsync(Encoding.Latin1.GetBytes(text));

    /// <summary>Takes in whatever has arrived without waiting; true once the server has closed.</summary>
    public bool Poll()
    {
        while (!Closed)
        {
            _pendingRead ??= ReadAsync();
            if (!_pendingRead.IsCompleted) return false;
            var n = _pendingRead.Result;
            _pendingRead = null;
            if (n <= 0) Closed = true;
            else _received.Write(_buffer, 0, n);
        }

        return true;
    }

    /// <summary>Reads until the server closes, or the deadline passes; returns whether it closed.</summary>
    public async Task<bool> ReadUntilClosedAsync(TimeSpan deadline)
    {
        using var timeout = new CancellationTokenSource(deadline);
        while (!Poll())
        {
            try
            {
                await _pendingRead!.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Reads until at least one whole answer head (and its Content-Length body) has arrived, or the connection closes.</summary>
    public async Task ReadAnswerAsync(TimeSpan deadline)
    {
        using var timeout = new CancellationTokenSource(deadline);
        while (!Poll() && !HasWholeAnswer())
        {
            await _pendingRead!.WaitAsync(timeout.Token);
        }
    }

    private bool HasWholeAnswer()
    {
        var text = Received;
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0) return false;
        var head = text[..end];
        var lengthAt = head.IndexOf("\r\nContent-Length: ", StringComparison.OrdinalIgnoreCase);
        if (lengthAt < 0) return !head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase) || text.EndsWith("0\r\n\r\n", StringComparison.Ordinal);
        var value = head[(lengthAt + 18)..].Split("\r\n")[0];
        return text.Length - end - 4 >= int.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<int> ReadAsync()
    {
        try
        {
            return await _stream.ReadAsync(_buffer);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            return 0;
        }
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        _received.Dispose();
        return ValueTask.CompletedTask;
    }
}
