using System.Net;
using System.Net.Sockets;
using Valet.Core.Forwarding.Http1;

namespace Valet.Core.Tests.Forwarding.Http1;

/// <summary>The keep-alive pool of Valet's HTTP/1.1 client against a real loopback listener, with a clock the test moves.</summary>
public class Http1PoolTests : IDisposable
{
    /// <summary>Whether the pool's connections run on the event loops (<see cref="Http1PoolOnLoopsTests"/>) or .NET's engine.</summary>
    protected virtual bool EventLoops => false;

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<Socket> _accepted = [];
    private readonly SteppedTime _time = new();

    public Http1PoolTests() => _listener.Start();

    private int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    private async Task<(Http1Connection Client, Socket Server)> ConnectAsync(Http1Pool pool)
    {
        var accept = _listener.AcceptSocketAsync();
        var client = await pool.ConnectAsync(CancellationToken.None);
        var server = await accept;
        _accepted.Add(server);
        return (client, server);
    }

    [Fact]
    public async Task Return_ThenTake_SameConnectionMostRecentFirst()
    {
        using var pool = new Http1Pool("127.0.0.1", Port, TimeSpan.FromSeconds(5), _time, EventLoops);
        var (first, _) = await ConnectAsync(pool);
        var (second, _) = await ConnectAsync(pool);

        pool.Return(first);
        pool.Return(second);

        pool.TryTake().Should().BeSameAs(second);
        pool.TryTake().Should().BeSameAs(first);
        pool.TryTake().Should().BeNull();
    }

    [Fact]
    public async Task TryTake_EndpointClosedTheIdleConnection_Dropped()
    {
        using var pool = new Http1Pool("127.0.0.1", Port, TimeSpan.FromSeconds(5), _time, EventLoops);
        var (client, server) = await ConnectAsync(pool);
        pool.Return(client);

        server.Shutdown(SocketShutdown.Both);
        server.Dispose();
        await WaitReadableAsync(client);
        _time.Advance(Http1Pool.PollAfter);

        pool.TryTake().Should().BeNull();
        pool.IdleCount.Should().Be(0);
    }

    [Fact]
    public async Task TryTake_EndpointSentBytesWhileIdle_Dropped()
    {
        using var pool = new Http1Pool("127.0.0.1", Port, TimeSpan.FromSeconds(5), _time, EventLoops);
        var (client, server) = await ConnectAsync(pool);
        pool.Return(client);

        await server.SendAsync("HTTP/1.1 408 Request Timeout\r\n\r\n"u8.ToArray());
        await WaitReadableAsync(client);
        _time.Advance(Http1Pool.PollAfter);

        pool.TryTake().Should().BeNull();
    }

    [Fact]
    public async Task TryTake_UsedMomentsAgo_TakenWithoutAPoll()
    {
        using var pool = new Http1Pool("127.0.0.1", Port, TimeSpan.FromSeconds(5), _time, EventLoops);
        var (client, server) = await ConnectAsync(pool);
        pool.Return(client);
        server.Shutdown(SocketShutdown.Both);
        await WaitReadableAsync(client);

        pool.TryTake().Should().BeSameAs(client, "under load a connection is reused at once; a stale one is replaced after it fails (Http1Exchange)");
    }

    [Fact]
    public async Task IdleTimeoutAndLifetime_ExpiredConnectionsNotTakenAndSweptAway()
    {
        using var pool = new Http1Pool("127.0.0.1", Port, TimeSpan.FromSeconds(5), _time, EventLoops);
        var (idle, _) = await ConnectAsync(pool);
        pool.Return(idle);

        _time.Advance(Http1Pool.IdleTimeout);
        pool.Sweep();

        pool.IdleCount.Should().Be(0, "idle for the whole idle timeout");

        var (old, _) = await ConnectAsync(pool);
        var used = TimeSpan.Zero;
        while (used < Http1Pool.Lifetime - TimeSpan.FromSeconds(1))
        {
            var step = TimeSpan.FromSeconds(Math.Min(50, (Http1Pool.Lifetime - TimeSpan.FromSeconds(1) - used).TotalSeconds));
            _time.Advance(step);
            used += step;
            pool.Return(old);
            pool.IdleCount.Should().Be(1, "used every 50 s, so never idle for the idle timeout");
            pool.TryTake().Should().BeSameAs(old);
        }

        pool.Return(old);
        _time.Advance(TimeSpan.FromSeconds(1));
        pool.TryTake().Should().BeNull("past its lifetime, however recently used");
    }

    [Fact]
    public async Task ConnectAsync_Refused_ConnectException()
    {
        var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        using var pool = new Http1Pool("127.0.0.1", port, TimeSpan.FromSeconds(5), _time, EventLoops);

        var act = async () => await pool.ConnectAsync(CancellationToken.None);

        await act.Should().ThrowAsync<Http1ConnectException>();
    }

    [Fact]
    public async Task Dispose_ClosesIdleConnections_LaterReturnsClosedToo()
    {
        var pool = new Http1Pool("127.0.0.1", Port, TimeSpan.FromSeconds(5), _time, EventLoops);
        var (idle, server) = await ConnectAsync(pool);
        var (busy, busyServer) = await ConnectAsync(pool);
        pool.Return(idle);

        pool.Dispose();
        pool.Return(busy);

        (await server.ReceiveAsync(new byte[1])).Should().Be(0, "the idle connection was closed");
        (await busyServer.ReceiveAsync(new byte[1])).Should().Be(0, "a connection returned after the pool was closed is closed");
        pool.IdleCount.Should().Be(0);
    }

    [Theory]
    [InlineData("127.0.0.1", 8080, "127.0.0.1:8080")]
    [InlineData("backend.internal", 80, "backend.internal")]
    [InlineData("::1", 9000, "[::1]:9000")]
    [InlineData("[::1]", 9000, "[::1]:9000")]
    [InlineData("::1", 80, "[::1]")]
    public void HostHeader_PortUnlessDefault_IPv6Bracketed(string host, int port, string expected)
    {
        using var pool = new Http1Pool(host, port, TimeSpan.FromSeconds(5), _time, EventLoops);

        pool.HostHeader.Should().Be(expected);
    }

    /// <summary>Waits until the client side of a pooled connection sees what the server did (no sleeping).</summary>
    private static async Task WaitReadableAsync(Http1Connection connection)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (connection.IsReusable())
        {
            timeout.Token.ThrowIfCancellationRequested();
            await Task.Yield();
        }
    }

    public void Dispose()
    {
        foreach (var socket in _accepted) socket.Dispose();
        _listener.Stop();
    }

    /// <summary>A clock whose timestamps move only when the test says.</summary>
    private sealed class SteppedTime : TimeProvider
    {
        private long _ticks = 1_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}

/// <summary>Every pool test again, the connections on Valet's event loops.</summary>
public sealed class Http1PoolOnLoopsTests : Http1PoolTests
{
    protected override bool EventLoops => true;
}
