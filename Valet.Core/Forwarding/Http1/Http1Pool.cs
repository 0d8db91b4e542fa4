using System.Net;
using System.Net.Sockets;

namespace Valet.Core.Forwarding.Http1;

/// <summary>
/// The idle keep-alive connections to one plain-HTTP/1.1 endpoint, as SocketsHttpHandler keeps
/// them: the most recently used is taken first (the warmest; the coldest age out), a connection is
/// dropped when the endpoint closed it while idle, after <see cref="IdleTimeout"/> unused, or past
/// <see cref="Lifetime"/> (so DNS changes are seen); there is no cap on connections. A sweep every
/// few seconds closes the idle ones that timed out, so none lingers half-closed.
/// </summary>
internal sealed class Http1Pool : IDisposable
{
    internal static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(60);
    internal static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(5);
    internal static readonly TimeSpan PollAfter = TimeSpan.FromSeconds(1);

    private readonly List<Http1Connection> _idle = [];
    private readonly DnsEndPoint? _name;
    private readonly IPEndPoint? _address;
    private readonly TimeProvider _time;
    private readonly TimeSpan _connectTimeout;
    private readonly bool _eventLoops;
    private ITimer? _sweep;
    private bool _disposed;

    public Http1Pool(string host, int port, TimeSpan connectTimeout, TimeProvider time, bool eventLoops = false)
    {
        _eventLoops = eventLoops && Networking.EventLoop.IsSupported;
        // A bracketed IPv6 literal, an IP address or a name (resolved at each connect, every address tried).
        var literal = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        if (IPAddress.TryParse(literal, out var ip)) _address = new IPEndPoint(ip, port);
        else _name = new DnsEndPoint(host, port);
        var hostPart = ip?.AddressFamily == AddressFamily.InterNetworkV6 && !host.StartsWith('[') ? $"[{host}]" : host;
        HostHeader = port == 80 ? hostPart : $"{hostPart}:{port}";
        _connectTimeout = connectTimeout;
        _time = time;
    }

    /// <summary>The <c>Host</c> header requests to this endpoint carry: host, and port unless 80.</summary>
    public string HostHeader { get; }

    /// <summary>Idle connections now (for tests and the sweep).</summary>
    public int IdleCount
    {
        get
        {
            lock (_idle) return _idle.Count;
        }
    }

    /// <summary>An idle connection that can take a request, or null (then <see cref="ConnectAsync"/>).</summary>
    public Http1Connection? TryTake()
    {
        var now = _time.GetTimestamp();
        while (true)
        {
            Http1Connection? connection;
            lock (_idle)
            {
                if (_idle.Count == 0) return null;
                connection = _idle[^1];
                _idle.RemoveAt(_idle.Count - 1);
            }

            // A connection used moments ago is taken as it is (a poll is a system call, costly on
            // every request); one idle longer is polled first, since endpoints close idle ones
            // after their keep-alive timeout, sometimes with a 408 first. Either way a connection
            // that fails before any byte of an answer is replaced once (Http1Exchange).
            if (!Expired(connection, now) && (_time.GetElapsedTime(connection.LastUsed, now) < PollAfter || connection.IsReusable())) return connection;
            connection.Dispose();
        }
    }

    /// <summary>A new connection (TCP, no delay), within the connect timeout.</summary>
    public async ValueTask<Http1Connection> ConnectAsync(CancellationToken token)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
        timeout.CancelAfter(_connectTimeout);
        Socket? socket = null;
        try
        {
            if (_eventLoops)
            {
                var addresses = _address is { } one ? [one.Address] : await Dns.GetHostAddressesAsync(_name!.Host, timeout.Token).ConfigureAwait(false);
                var port = _address?.Port ?? _name!.Port;
                return new Http1Connection(await Networking.LoopSocket.ConnectAsync(addresses, port, timeout.Token).ConfigureAwait(false), _time.GetTimestamp());
            }

            socket = _address is { } address
                ? new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
                : new Socket(SocketType.Stream, ProtocolType.Tcp);
            socket.NoDelay = true;
            await socket.ConnectAsync((EndPoint?)_address ?? _name!, timeout.Token).ConfigureAwait(false);
            return new Http1Connection(socket, _time.GetTimestamp());
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
            socket?.Dispose();
            throw new Http1ConnectException($"no connection within {_connectTimeout.TotalSeconds:0.#} s", null);
        }
        catch (SocketException e)
        {
            socket?.Dispose();
            throw new Http1ConnectException(e.Message, e);
        }
        catch
        {
            socket?.Dispose();
            throw;
        }
    }

    /// <summary>Puts a connection whose last answer was read whole back for the next request.</summary>
    public void Return(Http1Connection connection)
    {
        var now = _time.GetTimestamp();
        if (Expired(connection, now))
        {
            connection.Dispose();
            return;
        }

        connection.ResetBuffer();
        connection.LastUsed = now;
        lock (_idle)
        {
            if (_disposed)
            {
                connection.Dispose();
                return;
            }

            _idle.Add(connection);
            _sweep ??= _time.CreateTimer(static s => ((Http1Pool)s!).Sweep(), this, SweepInterval, SweepInterval);
        }
    }

    /// <summary>Closes the idle connections that timed out (the oldest are at the front).</summary>
    internal void Sweep()
    {
        var now = _time.GetTimestamp();
        List<Http1Connection>? closing = null;
        lock (_idle)
        {
            var stale = 0;
            while (stale < _idle.Count && Expired(_idle[stale], now)) stale++;
            if (stale > 0)
            {
                closing = _idle.GetRange(0, stale);
                _idle.RemoveRange(0, stale);
            }
        }

        if (closing is null) return;
        foreach (var connection in closing) connection.Dispose();
    }

    private bool Expired(Http1Connection connection, long now) =>
        _time.GetElapsedTime(connection.LastUsed, now) >= IdleTimeout || _time.GetElapsedTime(connection.CreatedAt, now) >= Lifetime;

    public void Dispose()
    {
        Http1Connection[] closing;
        lock (_idle)
        {
            _disposed = true;
            closing = [.. _idle];
            _idle.Clear();
            _sweep?.Dispose();
        }

        foreach (var connection in closing) connection.Dispose();
    }
}

/// <summary>No connection to the endpoint could be made (refused, unreachable, name not resolved, connect timeout).</summary>
internal sealed class Http1ConnectException(string message, Exception? inner) : IOException(message, inner);

/// <summary>The endpoint's answer is not valid HTTP/1.1 (or exceeds a limit).</summary>
internal sealed class Http1ResponseException(string message) : IOException(message);
