using System.Net.Sockets;

namespace Valet.Core.Forwarding.Http1;

/// <summary>
/// One keep-alive HTTP/1.1 connection to an endpoint: the socket, a read buffer that holds what
/// was received and not yet consumed (<see cref="Buffered"/>), and a write buffer reused for every
/// request head. Used by one request at a time; between requests it waits in its <see cref="Http1Pool"/>.
/// </summary>
internal sealed class Http1Connection : IDisposable
{
    /// <summary>The read buffer's size; a response head may grow it up to <see cref="MaxHeadBytes"/>.</summary>
    internal const int ReadBufferSize = 16 * 1024;

    /// <summary>The most a response head may take (SocketsHttpHandler's default MaxResponseHeadersLength).</summary>
    internal const int MaxHeadBytes = 64 * 1024;

    private readonly Socket _socket;
    private readonly Networking.LoopSocket? _loop;
    private byte[] _read = new byte[ReadBufferSize];
    private int _start;
    private int _end;

    public Http1Connection(Socket socket, long createdAt)
    {
        _socket = socket;
        CreatedAt = createdAt;
        LastUsed = createdAt;
    }

    /// <summary>A connection on the event loops (see <see cref="Networking.LoopSocket"/>).</summary>
    public Http1Connection(Networking.LoopSocket socket, long createdAt)
    {
        _loop = socket;
        _socket = socket.Socket;
        CreatedAt = createdAt;
        LastUsed = createdAt;
    }

    /// <summary>When it was opened (<see cref="TimeProvider.GetTimestamp"/>): it is not reused past the pool's lifetime.</summary>
    public long CreatedAt { get; }

    /// <summary>When it last went back to its pool.</summary>
    public long LastUsed { get; set; }

    /// <summary>The request head writer, kept with the connection so writing a head allocates nothing.</summary>
    public Http1HeadWriter Head { get; } = new();

    /// <summary>The answer head parser, kept with the connection for the same reason.</summary>
    public Http1ResponseHead ResponseHead { get; } = new();

    /// <summary>Bytes received and not yet consumed.</summary>
    public ReadOnlySpan<byte> Buffered => _read.AsSpan(_start, _end - _start);

    public ReadOnlyMemory<byte> BufferedMemory => _read.AsMemory(_start, _end - _start);

    public int BufferedCount => _end - _start;

    /// <summary>Whether any byte of an answer has arrived since the request was sent.</summary>
    public bool ReceivedAny { get; private set; }

    public void Consume(int count) => _start += count;

    /// <summary>Sends <paramref name="bytes"/> whole.</summary>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken token)
    {
        ReceivedAny = false;
        while (!bytes.IsEmpty)
        {
            if (_loop is not null)
            {
                await _loop.SendAsync(bytes, token).ConfigureAwait(false);
                return;
            }

            var sent = await _socket.SendAsync(bytes, SocketFlags.None, token).ConfigureAwait(false);
            bytes = bytes[sent..];
        }
    }

    /// <summary>
    /// Receives more bytes after those buffered (moving them to the front, growing the buffer up to
    /// <paramref name="maxBuffered"/> when it is full); false at the end of the stream.
    /// </summary>
    public async ValueTask<bool> FillAsync(int maxBuffered, CancellationToken token)
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_end == _read.Length)
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_read, _start, _read, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            else
            {
                if (_read.Length >= maxBuffered) throw new Http1ResponseException($"the answer's head is larger than {maxBuffered} bytes");
                Array.Resize(ref _read, Math.Min(maxBuffered, _read.Length * 2));
            }
        }

        var read = await ReceiveCoreAsync(_read.AsMemory(_end), token).ConfigureAwait(false);
        if (read == 0) return false;
        _end += read;
        ReceivedAny = true;
        return true;
    }

    /// <summary>
    /// Receives into <paramref name="destination"/> directly (a large body, once nothing is buffered);
    /// 0 at the end of the stream.
    /// </summary>
    public async ValueTask<int> ReceiveAsync(Memory<byte> destination, CancellationToken token)
    {
        var read = await ReceiveCoreAsync(destination, token).ConfigureAwait(false);
        if (read > 0) ReceivedAny = true;
        return read;
    }

    private ValueTask<int> ReceiveCoreAsync(Memory<byte> destination, CancellationToken token) =>
        _loop is not null ? _loop.ReceiveAsync(destination, token) : _socket.ReceiveAsync(destination, SocketFlags.None, token);

    /// <summary>
    /// Whether an idle connection can take a request: nothing buffered and nothing to read (an idle
    /// connection that became readable was closed by the endpoint, or sent bytes nobody asked for).
    /// </summary>
    public bool IsReusable()
    {
        if (_start != _end) return false;
        try
        {
            return !_socket.Poll(0, SelectMode.SelectRead);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>Shrinks a read buffer a large head grew, before the connection goes back to the pool.</summary>
    public void ResetBuffer()
    {
        _start = _end = 0;
        if (_read.Length > ReadBufferSize) _read = new byte[ReadBufferSize];
    }

    public void Dispose()
    {
        if (_loop is not null) _loop.Dispose();
        else _socket.Dispose();
    }
}
