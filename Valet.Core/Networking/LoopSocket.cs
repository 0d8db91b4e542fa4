using System.Buffers;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Threading.Tasks.Sources;

namespace Valet.Core.Networking;

/// <summary>
/// A connected, non-blocking socket driven by an <see cref="EventLoop"/> rather than .NET's socket
/// engine, so that it reads the way nginx does: a read that filled less than its buffer drained the
/// socket, so the next read waits for the loop's edge-triggered event instead of trying a system
/// call that would only fail with EAGAIN (.NET tries it every time: one system call per read more).
/// One read and one write may be outstanding at a time; their continuations run on the loop's thread
/// (or the caller's, when the data is already there).
/// </summary>
public sealed class LoopSocket : IDisposable
{
    private const int MaxSegments = 16;

    private readonly Socket _socket;
    private readonly SafeSocketHandle _handle;
    private readonly EventLoop _loop;
    private readonly object _gate = new();
    private readonly Operation _read;
    private readonly Operation _write;
    private readonly MemoryHandle[] _pins = new MemoryHandle[MaxSegments]; // the writer's, one write at a time

    // Guarded by _gate. "Ready" means a system call may succeed; "seq" counts the loop's events, so a
    // caller that saw EAGAIN can tell whether an event arrived since it looked.
    private bool _readReady = true;
    private bool _writeReady = true;
    private int _readSeq;
    private int _writeSeq;
    private bool _disposed;

    // The peer's FIN (or an error) was reported: like nginx's pending_eof, a short read no longer
    // means drained, since the end of the stream (recv returning 0) can follow the data with no
    // further edge.
    private bool _hangup;

    /// <summary>Takes over a connected socket (made non-blocking here); .NET's engine must not have run an operation on it.</summary>
    public LoopSocket(Socket socket) : this(socket, connecting: false)
    {
    }

    private LoopSocket(Socket socket, bool connecting)
    {
        _socket = socket;
        _socket.Blocking = false;
        _handle = socket.SafeHandle;
        _loop = EventLoop.Pick();
        _read = new Operation(this);
        _write = new Operation(this);
        // A connecting socket becomes writable once connected (or failed).
        _writeReady = !connecting;
        _loop.Register(this, _handle);
    }

    /// <summary>
    /// Connects to the first of <paramref name="addresses"/> that accepts (TCP, no delay), the
    /// connect itself waited for on a loop: a SocketException for the last failure.
    /// </summary>
    public static async ValueTask<LoopSocket> ConnectAsync(IReadOnlyList<System.Net.IPAddress> addresses, int port, CancellationToken token)
    {
        if (addresses.Count == 0) throw new SocketException((int)SocketError.HostNotFound);
        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, Blocking = false };
            LoopSocket? connecting = null;
            try
            {
                try
                {
                    socket.Connect(new System.Net.IPEndPoint(address, port));
                }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
                {
                    // Registered only now, once the connect is under way: an unconnected socket polls as hung up.
                    connecting = new LoopSocket(socket, connecting: true);
                    await connecting.SendAsync(ReadOnlySequence<byte>.Empty, token).ConfigureAwait(false);
                    // .NET reports SO_ERROR as a SocketError already.
                    var error = (SocketError)(int)socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)!;
                    if (error != SocketError.Success) throw new SocketException((int)error);
                    return connecting;
                }

                return new LoopSocket(socket);
            }
            catch (SocketException e)
            {
                last = e;
                if (connecting is not null) connecting.Dispose();
                else socket.Dispose();
            }
            catch
            {
                if (connecting is not null) connecting.Dispose();
                else socket.Dispose();
                throw;
            }
        }

        throw last!;
    }

    /// <summary>The loop's tag for this socket (slot and generation).</summary>
    internal ulong Tag { get; set; }

    public Socket Socket => _socket;

    /// <summary>
    /// Reads into <paramref name="buffer"/>: the count read, 0 at the end of the stream. An empty
    /// buffer waits until the socket is readable and reads nothing.
    /// </summary>
    public ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken token = default)
    {
        while (true)
        {
            int seq;
            lock (_gate)
            {
                if (_disposed) return ValueTask.FromException<int>(new ObjectDisposedException(nameof(LoopSocket)));
                if (_read.Pending) return ValueTask.FromException<int>(new InvalidOperationException("a read is already outstanding"));
                seq = _readSeq;
                if (!_readReady || buffer.IsEmpty)
                {
                    if (_readReady) return new ValueTask<int>(0);
                    return _read.Start(buffer, default, token);
                }
            }

            var read = Recv(buffer.Span, out var errno);
            if (read > 0)
            {
                if (read < buffer.Length)
                {
                    lock (_gate)
                    {
                        if (_readSeq == seq && !_hangup) _readReady = false;
                    }
                }

                return new ValueTask<int>((int)read);
            }

            if (read == 0) return new ValueTask<int>(0);
            if (errno != Libc.EAGAIN) return ValueTask.FromException<int>(Error(errno));
            lock (_gate)
            {
                if (_readSeq != seq || _disposed) continue;
                _readReady = false;
                return _read.Start(buffer, default, token);
            }
        }
    }

    /// <summary>Sends <paramref name="data"/> whole.</summary>
    public ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken token = default) =>
        SendAsync(new ReadOnlySequence<byte>(data), token);

    /// <summary>Sends <paramref name="data"/> whole, several segments per system call.</summary>
    public ValueTask SendAsync(ReadOnlySequence<byte> data, CancellationToken token = default)
    {
        while (true)
        {
            int seq;
            lock (_gate)
            {
                if (_disposed) return ValueTask.FromException(new ObjectDisposedException(nameof(LoopSocket)));
                if (_write.Pending) return ValueTask.FromException(new InvalidOperationException("a write is already outstanding"));
                seq = _writeSeq;
                if (!_writeReady) return _write.StartWrite(data, token); // an empty write waits until writable
            }

            var errno = SendSome(ref data);
            if (errno == 0) return default;
            if (errno != Libc.EAGAIN) return ValueTask.FromException(Error(errno));
            lock (_gate)
            {
                if (_writeSeq != seq || _disposed) continue;
                _writeReady = false;
                return _write.StartWrite(data, token);
            }
        }
    }

    /// <summary>Called on the loop's thread with the events epoll reported.</summary>
    internal void OnEvents(uint events)
    {
        bool read = false, write = false;
        lock (_gate)
        {
            if (_disposed) return;
            if ((events & (Libc.EPOLLRDHUP | Libc.EPOLLHUP | Libc.EPOLLERR)) != 0) _hangup = true;
            if ((events & (Libc.EPOLLIN | Libc.EPOLLRDHUP | Libc.EPOLLHUP | Libc.EPOLLERR)) != 0)
            {
                _readSeq++;
                if (_read.Pending) read = true;
                else _readReady = true;
            }

            if ((events & (Libc.EPOLLOUT | Libc.EPOLLHUP | Libc.EPOLLERR)) != 0)
            {
                _writeSeq++;
                if (_write.Pending) write = true;
                else _writeReady = true;
            }
        }

        try
        {
            if (read) ContinueRead();
            if (write) ContinueWrite();
        }
        catch (ObjectDisposedException)
        {
            // Disposed since the event was taken: Dispose completed what was outstanding.
        }
    }

    private void ContinueRead()
    {
        var id = _read.Id;
        var buffer = _read.Buffer;
        if (buffer.IsEmpty)
        {
            lock (_gate) _readReady = true;
            _read.TryComplete(id, 0, null);
            return;
        }

        var read = Recv(buffer.Span, out var errno);
        if (read < 0 && errno == Libc.EAGAIN) return; // an event with nothing to read: keep waiting
        if (read == buffer.Length || read > 0 && Volatile.Read(ref _hangup))
        {
            lock (_gate) _readReady = true;
        }

        _read.TryComplete(id, read >= 0 ? (int)read : 0, read >= 0 ? null : Error(errno));
    }

    private void ContinueWrite()
    {
        var id = _write.Id;
        var data = _write.Data;
        var errno = SendSome(ref data);
        if (errno == Libc.EAGAIN)
        {
            _write.Data = data;
            return;
        }

        if (errno == 0)
        {
            // All sent (or connected): there is room for the next write until one says EAGAIN.
            lock (_gate) _writeReady = true;
        }

        _write.TryComplete(id, 0, errno == 0 ? null : Error(errno));
    }

    private unsafe nint Recv(Span<byte> buffer, out int errno)
    {
        while (true)
        {
            nint read;
            fixed (byte* p = buffer) read = Libc.Recv(_handle, p, (nuint)buffer.Length, 0);
            errno = read < 0 ? Marshal.GetLastPInvokeError() : 0;
            if (read >= 0 || errno != Libc.EINTR) return read;
        }
    }

    /// <summary>Sends until all is sent (0), the socket's buffer is full (EAGAIN, <paramref name="data"/> is what is left) or an error (its errno).</summary>
    private unsafe int SendSome(ref ReadOnlySequence<byte> data)
    {
        while (!data.IsEmpty)
        {
            nint sent;
            if (data.IsSingleSegment)
            {
                var span = data.FirstSpan;
                fixed (byte* p = span) sent = Libc.Send(_handle, p, (nuint)span.Length, Libc.MSG_NOSIGNAL);
            }
            else
            {
                sent = SendGathered(data);
            }

            if (sent < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Libc.EINTR) continue;
                return errno;
            }

            data = data.Slice(sent);
        }

        return 0;
    }

    private unsafe nint SendGathered(in ReadOnlySequence<byte> data)
    {
        var vectors = stackalloc Libc.IoVec[MaxSegments];
        var pins = _pins;
        var count = 0;
        try
        {
            foreach (var segment in data)
            {
                if (segment.IsEmpty) continue;
                pins[count] = segment.Pin();
                vectors[count].Base = (byte*)pins[count].Pointer;
                vectors[count].Length = (nuint)segment.Length;
                if (++count == MaxSegments) break;
            }

            return Libc.Writev(_handle, vectors, count);
        }
        finally
        {
            for (var i = 0; i < count; i++) pins[i].Dispose();
        }
    }

    private static SocketException Error(int errno) => new((int)(errno switch
    {
        104 => SocketError.ConnectionReset,
        32 => SocketError.Shutdown,
        110 => SocketError.TimedOut,
        111 => SocketError.ConnectionRefused,
        107 => SocketError.NotConnected,
        103 => SocketError.ConnectionAborted,
        113 => SocketError.HostUnreachable,
        101 => SocketError.NetworkUnreachable,
        9 => SocketError.OperationAborted,
        _ => SocketError.SocketError,
    }));

    /// <summary>Ends both directions: outstanding and later reads see the end of the stream.</summary>
    public void Shutdown()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already reset or closed: nothing left to end.
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
        }

        _loop.Unregister(this);
        _socket.Dispose();
        _read.TryComplete(_read.Id, 0, new ObjectDisposedException(nameof(LoopSocket)));
        _write.TryComplete(_write.Id, 0, new ObjectDisposedException(nameof(LoopSocket)));
    }

    /// <summary>
    /// One direction's outstanding operation, reused for every read (or write) on the socket: a
    /// value-task source whose continuation runs where it completes.
    /// </summary>
    private sealed class Operation(LoopSocket owner) : IValueTaskSource<int>, IValueTaskSource
    {
        // A late callback from an earlier operation's registration can only cancel the one now
        // outstanding if that one waits on the same (cancelled) token, when it must be cancelled anyway.
        private static readonly Action<object?, CancellationToken> Cancel = static (state, cancelled) =>
        {
            var operation = (Operation)state!;
            if (operation._cancellation.Equals(cancelled)) operation.TryComplete(operation.Id, 0, new OperationCanceledException(cancelled));
        };

        private ManualResetValueTaskSourceCore<int> _core; // RunContinuationsAsynchronously stays false: inline
        private CancellationTokenRegistration _registration;
        private CancellationToken _cancellation;

        /// <summary>Set under the owner's gate while waiting for the loop.</summary>
        public bool Pending { get; private set; }

        /// <summary>Which operation this is: a completion meant for an earlier one is dropped.</summary>
        public int Id { get; private set; }

        public Memory<byte> Buffer { get; private set; }

        public ReadOnlySequence<byte> Data { get; set; }

        /// <summary>Starts waiting (under the owner's gate).</summary>
        public ValueTask<int> Start(Memory<byte> buffer, ReadOnlySequence<byte> data, CancellationToken token)
        {
            Begin(buffer, data, token);
            return new ValueTask<int>(this, _core.Version);
        }

        public ValueTask StartWrite(ReadOnlySequence<byte> data, CancellationToken token)
        {
            Begin(default, data, token);
            return new ValueTask(this, _core.Version);
        }

        private void Begin(Memory<byte> buffer, ReadOnlySequence<byte> data, CancellationToken token)
        {
            _core.Reset();
            Id++;
            Pending = true;
            Buffer = buffer;
            Data = data;
            _cancellation = token;
            _registration = token.CanBeCanceled ? token.UnsafeRegister(Cancel, this) : default;
        }

        /// <summary>Completes operation <paramref name="id"/> if it is still the one outstanding.</summary>
        public void TryComplete(int id, int result, Exception? error)
        {
            lock (owner._gate)
            {
                if (!Pending || Id != id) return;
                Pending = false;
                Buffer = default;
                Data = default;
            }

            _registration.Unregister();
            _registration = default;
            _cancellation = default;
            if (error is null) _core.SetResult(result);
            else _core.SetException(error);
        }

        public int GetResult(short token) => _core.GetResult(token);

        void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);
    }
}
