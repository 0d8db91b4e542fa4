using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Valet.Core.Networking;

namespace Valet.Core.Tests.Networking;

/// <summary>Sockets on the event loops against a real loopback peer (a plain .NET socket).</summary>
public sealed class LoopSocketTests : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<IDisposable> _owned = [];

    public LoopSocketTests() => _listener.Start();

    private int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    private async Task<(LoopSocket Client, Socket Server)> ConnectAsync()
    {
        var accept = _listener.AcceptSocketAsync();
        var client = await LoopSocket.ConnectAsync([IPAddress.Loopback], Port, CancellationToken.None);
        var server = await accept;
        _owned.Add(client);
        _owned.Add(server);
        return (client, server);
    }

    [Fact]
    public async Task Receive_WaitsForTheLoop_ThenGetsWhatThePeerSent()
    {
        var (client, server) = await ConnectAsync();
        var buffer = new byte[64];

        var read = client.ReceiveAsync(buffer);
        read.IsCompleted.Should().BeFalse("nothing was sent yet, and the read must not block the caller");
        await server.SendAsync("hello"u8.ToArray());

        (await read).Should().Be(5);
        buffer.AsSpan(0, 5).ToArray().Should().Equal("hello"u8.ToArray());
    }

    [Fact]
    public async Task Receive_AfterAShortRead_WaitsForTheNextEvent_AndSeesLaterData()
    {
        var (client, server) = await ConnectAsync();
        var buffer = new byte[64];
        await server.SendAsync("one"u8.ToArray());
        (await client.ReceiveAsync(buffer)).Should().Be(3);

        // The short read drained the socket: the next read waits for the loop's edge, which comes.
        for (var i = 0; i < 50; i++)
        {
            var read = client.ReceiveAsync(buffer);
            await server.SendAsync(new[] { (byte)i });
            (await read).Should().Be(1);
            buffer[0].Should().Be((byte)i);
        }
    }

    [Fact]
    public async Task Receive_AFullBuffer_ReadsTheRestWithoutWaiting()
    {
        var (client, server) = await ConnectAsync();
        await server.SendAsync(new byte[100]);
        var small = new byte[40];
        var total = 0;
        while (total < 100) total += await client.ReceiveAsync(small);
        total.Should().Be(100);
    }

    [Fact]
    public async Task Receive_ThePeersClose_IsTheEndOfTheStream()
    {
        var (client, server) = await ConnectAsync();
        var read = client.ReceiveAsync(new byte[16]);
        server.Shutdown(SocketShutdown.Send);
        (await read).Should().Be(0);
    }

    [Fact]
    public async Task Receive_DataAndFinTogether_TheShortReadIsFollowedByTheEnd()
    {
        // Data and FIN in one edge: the read that takes the data is short, yet the socket is not
        // drained (the end follows with no further event). Each round must end, not wait forever.
        for (var i = 0; i < 20; i++)
        {
            var (client, server) = await ConnectAsync();
            var read = client.ReceiveAsync(new byte[64]);
            server.Send("to the end"u8);
            server.Shutdown(SocketShutdown.Send);

            var total = await read;
            while (total < 10) total += await client.ReceiveAsync(new byte[64]);
            (await client.ReceiveAsync(new byte[64]).AsTask().WaitAsync(TimeSpan.FromSeconds(30))).Should().Be(0);
        }
    }

    [Fact]
    public async Task Receive_EmptyBuffer_WaitsUntilReadable_ReadingNothing()
    {
        var (client, server) = await ConnectAsync();
        var buffer = new byte[16];
        // Drain the "ready" the new socket starts with.
        var first = client.ReceiveAsync(buffer);
        first.IsCompleted.Should().BeFalse();
        await server.SendAsync("a"u8.ToArray());
        (await first).Should().Be(1);

        var wait = client.ReceiveAsync(Memory<byte>.Empty);
        wait.IsCompleted.Should().BeFalse();
        await server.SendAsync("bc"u8.ToArray());
        (await wait).Should().Be(0);
        (await client.ReceiveAsync(buffer)).Should().Be(2, "the wait read nothing");
    }

    [Fact]
    public async Task Receive_Cancelled_CompletesWithCancellation()
    {
        var (client, _) = await ConnectAsync();
        using var cancel = new CancellationTokenSource();
        var read = client.ReceiveAsync(new byte[16], cancel.Token);
        cancel.Cancel();
        await FluentActions.Awaiting(async () => await read).Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task Dispose_CompletesAnOutstandingRead()
    {
        var (client, _) = await ConnectAsync();
        var read = client.ReceiveAsync(new byte[16]);
        client.Dispose();
        await FluentActions.Awaiting(async () => await read).Should().ThrowAsync<ObjectDisposedException>();
    }

    [Fact]
    public async Task Send_MoreThanTheSocketBuffers_WaitsForRoom_AndArrivesWhole()
    {
        var (client, server) = await ConnectAsync();
        // More than loopback's largest socket buffers hold (tcp_wmem and tcp_rmem top out at 4 and 6 MiB).
        var data = new byte[32 * 1024 * 1024];
        Random.Shared.NextBytes(data);

        var send = client.SendAsync(data);
        send.IsCompleted.Should().BeFalse("32 MiB do not fit in the socket buffers of a peer that is not reading");
        var received = new byte[data.Length];
        var total = 0;
        while (total < data.Length) total += await server.ReceiveAsync(received.AsMemory(total));
        await send;
        received.AsSpan().SequenceEqual(data).Should().BeTrue("every byte arrives, in order");
    }

    [Fact]
    public async Task Send_ASequenceOfSegments_ArrivesInOrder()
    {
        var (client, server) = await ConnectAsync();
        var first = new Segment("abc"u8.ToArray());
        var last = first.Append("defg"u8.ToArray()).Append("hi"u8.ToArray());
        await client.SendAsync(new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length));

        var buffer = new byte[16];
        var total = 0;
        while (total < 9) total += await server.ReceiveAsync(buffer.AsMemory(total));
        System.Text.Encoding.ASCII.GetString(buffer, 0, total).Should().Be("abcdefghi");
    }

    [Fact]
    public async Task Connect_NobodyListening_Refused()
    {
        var port = Port;
        _listener.Stop();
        var act = async () => await LoopSocket.ConnectAsync([IPAddress.Loopback], port, CancellationToken.None);
        (await act.Should().ThrowAsync<SocketException>()).Which.SocketErrorCode.Should().Be(SocketError.ConnectionRefused);
    }

    [Fact]
    public async Task Connect_TriesTheNextAddress_WhenOneRefuses()
    {
        using var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var closedPort = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();

        // 127.0.0.2 has nothing on this port; 127.0.0.1 has the listener.
        var accept = _listener.AcceptSocketAsync();
        using var client = await LoopSocket.ConnectAsync([IPAddress.Parse("127.0.0.2"), IPAddress.Loopback], Port, CancellationToken.None);
        using var server = await accept;
        closedPort.Should().BePositive();
        await client.SendAsync("x"u8.ToArray());
        (await server.ReceiveAsync(new byte[1])).Should().Be(1);
    }

    public void Dispose()
    {
        foreach (var owned in _owned) owned.Dispose();
        _listener.Stop();
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
