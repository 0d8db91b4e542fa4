namespace Valet.Core.Forwarding.Http2;

/// <summary>
/// What the endpoint lets this side send (RFC 9113 §6.9): the connection's window and the one
/// stream's, both starting at 65535 octets (the stream's at the peer's SETTINGS_INITIAL_WINDOW_SIZE).
/// A sender reserves octets from both at once and waits, without polling, while either is
/// exhausted; a WINDOW_UPDATE or a larger initial window wakes it.
/// </summary>
internal sealed class Http2SendWindow
{
    /// <summary>The window every connection and stream starts with.</summary>
    public const int DefaultSize = 65535;

    private readonly object _gate = new();
    private long _connection = DefaultSize;
    private long _stream = DefaultSize;
    private TaskCompletionSource? _opened;
    private Exception? _failure;

    /// <summary>The connection's window now (for tests and logs).</summary>
    public long Connection
    {
        get
        {
            lock (_gate) return _connection;
        }
    }

    /// <summary>The stream's window now; negative after the peer lowered its initial window below what was in flight.</summary>
    public long Stream
    {
        get
        {
            lock (_gate) return _stream;
        }
    }

    /// <summary>A WINDOW_UPDATE on stream 0. False when the window would pass 2^31 - 1 (a FLOW_CONTROL_ERROR).</summary>
    public bool GrowConnection(int increment) => Grow(ref _connection, increment);

    /// <summary>
    /// A WINDOW_UPDATE on the stream, or the change of SETTINGS_INITIAL_WINDOW_SIZE (which may be
    /// negative, §6.9.2). False when the window would pass 2^31 - 1.
    /// </summary>
    public bool GrowStream(long delta) => Grow(ref _stream, delta);

    /// <summary>
    /// Waits until both windows are open and takes up to <paramref name="wanted"/> octets from
    /// both; returns how many (at least 1). Throws what <see cref="Fail"/> was given once the
    /// connection is over.
    /// </summary>
    public async ValueTask<int> ReserveAsync(int wanted, CancellationToken token)
    {
        while (true)
        {
            Task opened;
            lock (_gate)
            {
                if (_failure is not null) throw new IOException("the connection to the endpoint is closed", _failure);
                var available = Math.Min(_connection, _stream);
                if (available > 0)
                {
                    var taken = (int)Math.Min(available, wanted);
                    _connection -= taken;
                    _stream -= taken;
                    return taken;
                }

                _opened ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                opened = _opened.Task;
            }

            await opened.WaitAsync(token).ConfigureAwait(false);
        }
    }

    /// <summary>Wakes and fails every present and future reservation: the connection ended.</summary>
    public void Fail(Exception failure)
    {
        TaskCompletionSource? opened;
        lock (_gate)
        {
            _failure ??= failure;
            opened = _opened;
            _opened = null;
        }

        opened?.TrySetResult();
    }

    private bool Grow(ref long window, long delta)
    {
        TaskCompletionSource? opened = null;
        lock (_gate)
        {
            if (window + delta > int.MaxValue) return false;
            window += delta;
            if (_connection > 0 && _stream > 0)
            {
                opened = _opened;
                _opened = null;
            }
        }

        opened?.TrySetResult();
        return true;
    }
}
