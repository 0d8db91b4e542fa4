using System.Net;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Protocols;

/// <summary>WebSockets through Valet to a real Kestrel WebSocket endpoint, with .NET's ClientWebSocket.</summary>
public sealed class WebSocketTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private static Dictionary<string, object?> App(string name, params WebSocketBackend[] backends) => new()
    {
        ["name"] = name,
        ["endpoints"] = backends.Select(b => new { host = "127.0.0.1", port = b.Port }).ToArray(),
    };

    private static Uri Ws(Uri http, string path) => new($"ws://{http.Authority}{path}");

    private static async Task<ClientWebSocket> ConnectAsync(Uri uri, Action<ClientWebSocketOptions>? configure = null, HttpMessageInvoker? invoker = null)
    {
        var socket = new ClientWebSocket();
        socket.Options.Proxy = null;
        socket.Options.CollectHttpResponseDetails = true;
        configure?.Invoke(socket.Options);
        using var timeout = new CancellationTokenSource(Deadline);
        if (invoker is null) await socket.ConnectAsync(uri, timeout.Token);
        else await socket.ConnectAsync(uri, invoker, timeout.Token);
        return socket;
    }

    private static async Task SendTextAsync(WebSocket socket, string text)
    {
        using var timeout = new CancellationTokenSource(Deadline);
        await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, timeout.Token);
    }

    private static async Task<(WebSocketMessageType Type, byte[] Data)> ReceiveAsync(WebSocket socket, CancellationToken? token = null)
    {
        using var timeout = new CancellationTokenSource(Deadline);
        var buffer = new byte[512 * 1024];
        var count = 0;
        ValueWebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer.AsMemory(count), token ?? timeout.Token);
            count += result.Count;
        }
        while (!result.EndOfMessage);

        return (result.MessageType, buffer[..count]);
    }

    private static async Task<string> ReceiveTextAsync(WebSocket socket) => Encoding.UTF8.GetString((await ReceiveAsync(socket)).Data);

    private static string NextEnd(WebSocketBackend backend) =>
        backend.Ended.TryTake(out var end, Deadline) ? end : throw new TimeoutException("the backend's connection did not end");

    [Fact]
    public async Task Echo_TextAndBinaryMessages_FlowBothWays()
    {
        await using var backend = await WebSocketBackend.StartAsync();
        await using var gateway = await TestGateway.StartAsync([App("chat", backend)]);
        using var socket = await ConnectAsync(Ws(gateway.Address, "/chat/room/1?x=1"));

        socket.HttpStatusCode.Should().Be(HttpStatusCode.SwitchingProtocols);
        await SendTextAsync(socket, "hello ✓");
        (await ReceiveTextAsync(socket)).Should().Be("hello ✓");
        var blob = new byte[200_000];
        Random.Shared.NextBytes(blob);
        await socket.SendAsync(blob, WebSocketMessageType.Binary, true, CancellationToken.None);
        var echoed = await ReceiveAsync(socket);
        echoed.Type.Should().Be(WebSocketMessageType.Binary);
        echoed.Data.Should().Equal(blob);

        backend.Openings.Should().ContainSingle().Which.Headers.Should().ContainKey("X-Forwarded-For").And.ContainKey("X-Request-Id");
        socket.HttpResponseHeaders.Should().ContainKey("X-Request-Id");
    }

    [Fact]
    public async Task Close_FromClient_EndpointSeesCloseAndAnswers()
    {
        await using var backend = await WebSocketBackend.StartAsync("b1");
        await using var gateway = await TestGateway.StartAsync([App("chat", backend)]);
        using var socket = await ConnectAsync(Ws(gateway.Address, "/chat/"));
        await SendTextAsync(socket, "ping");
        (await ReceiveTextAsync(socket)).Should().Be("ping");

        using var timeout = new CancellationTokenSource(Deadline);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);

        socket.State.Should().Be(WebSocketState.Closed);
        socket.CloseStatusDescription.Should().Be("bye from b1");
        NextEnd(backend).Should().Be("client-closed");
    }

    [Fact]
    public async Task Close_FromEndpoint_ClientGetsCloseFrame()
    {
        await using var backend = await WebSocketBackend.StartAsync("b1");
        await using var gateway = await TestGateway.StartAsync([App("chat", backend)]);
        using var socket = await ConnectAsync(Ws(gateway.Address, "/chat/"));

        await SendTextAsync(socket, "close-me");
        var (type, _) = await ReceiveAsync(socket);

        type.Should().Be(WebSocketMessageType.Close);
        socket.CloseStatus.Should().Be(WebSocketCloseStatus.NormalClosure);
        socket.CloseStatusDescription.Should().Be("closing, b1");
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        NextEnd(backend).Should().Be("server-closed", "the endpoint got the client's answer to its close");
    }

    [Fact]
    public async Task ClientGoesAway_EndpointConnectionClosedToo()
    {
        await using var backend = await WebSocketBackend.StartAsync();
        await using var gateway = await TestGateway.StartAsync([App("chat", backend)]);
        var socket = await ConnectAsync(Ws(gateway.Address, "/chat/"));
        await SendTextAsync(socket, "ping");
        (await ReceiveTextAsync(socket)).Should().Be("ping");

        socket.Abort();
        socket.Dispose();

        NextEnd(backend).Should().Be("broken");
        using var after = await gateway.Client.GetAsync("/chat/");
        after.StatusCode.Should().Be(HttpStatusCode.BadRequest, "the gateway still serves; the backend answers a plain GET with 400");
    }

    [Fact]
    public async Task Auth_MissingKey_RefusedAtUpgradeAndNothingForwarded()
    {
        await using var backend = await WebSocketBackend.StartAsync();
        var app = App("chat", backend);
        app["authorize"] = true;
        app["authKey"] = "s3cret";
        await using var gateway = await TestGateway.StartAsync([app]);

        var refused = new ClientWebSocket();
        refused.Options.Proxy = null;
        refused.Options.CollectHttpResponseDetails = true;
        var connect = () => refused.ConnectAsync(Ws(gateway.Address, "/chat/"), CancellationToken.None);
        await connect.Should().ThrowAsync<WebSocketException>();
        refused.HttpStatusCode.Should().Be(HttpStatusCode.Unauthorized);
        backend.Openings.Should().BeEmpty();

        using var admitted = await ConnectAsync(Ws(gateway.Address, "/chat/"), o => o.SetRequestHeader("X-Valet-Auth", "s3cret"));
        await SendTextAsync(admitted, "in");
        (await ReceiveTextAsync(admitted)).Should().Be("in");
        backend.Openings.Should().ContainSingle().Which.Headers.Should().NotContainKey("X-Valet-Auth").And.Contain("X-Valet-Consumer", "default");
    }

    [Fact]
    public async Task RateLimit_CountsConnectionsNotMessages()
    {
        await using var backend = await WebSocketBackend.StartAsync();
        var app = App("chat", backend);
        app["rateLimit"] = true;
        app["limitValue"] = 2;
        app["limitPeriod"] = 86400;
        await using var gateway = await TestGateway.StartAsync([app]);

        using var first = await ConnectAsync(Ws(gateway.Address, "/chat/"));
        for (var i = 0; i < 5; i++)
        {
            await SendTextAsync(first, "m" + i);
            (await ReceiveTextAsync(first)).Should().Be("m" + i);
        }

        first.HttpResponseHeaders!["X-Ratelimit-Used"].Should().Equal("1");
        using var second = await ConnectAsync(Ws(gateway.Address, "/chat/"));
        second.HttpResponseHeaders!["X-Ratelimit-Used"].Should().Equal("2");

        var third = new ClientWebSocket();
        third.Options.Proxy = null;
        third.Options.CollectHttpResponseDetails = true;
        await third.Invoking(t => t.ConnectAsync(Ws(gateway.Address, "/chat/"), CancellationToken.None)).Should().ThrowAsync<WebSocketException>();
        third.HttpStatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        backend.Openings.Should().HaveCount(2);
    }

    [Fact]
    public async Task RoundRobin_EachConnectionGoesToTheNextEndpoint()
    {
        await using var a = await WebSocketBackend.StartAsync("a");
        await using var b = await WebSocketBackend.StartAsync("b");
        await using var gateway = await TestGateway.StartAsync([App("chat", a, b)]);

        var names = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            using var socket = await ConnectAsync(Ws(gateway.Address, "/chat/"));
            await SendTextAsync(socket, "who");
            names.Add(await ReceiveTextAsync(socket));
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        }

        names.Should().Equal("a", "b", "a", "b");
    }

    [Fact]
    public async Task IdleTimeout_NoTraffic_BothSidesClosed()
    {
        await using var backend = await WebSocketBackend.StartAsync();
        var app = App("chat", backend);
        app["webSocketIdleTimeout"] = 0.3;
        await using var gateway = await TestGateway.StartAsync([app]);
        using var socket = await ConnectAsync(Ws(gateway.Address, "/chat/"));
        await SendTextAsync(socket, "ping");
        (await ReceiveTextAsync(socket)).Should().Be("ping");

        // Nothing more is sent: the gateway ends the tunnel, which the client sees as its connection ending.
        var receive = async () => await ReceiveAsync(socket, CancellationToken.None);

        await receive.Should().ThrowAsync<WebSocketException>().Within("the idle tunnel is closed", Deadline);
        NextEnd(backend).Should().Be("broken");
    }

    [Fact]
    public async Task Http2Client_ExtendedConnect_TunnelledToHttp11Endpoint()
    {
        await using var backend = await WebSocketBackend.StartAsync("h1");
        await using var gateway = await TestGateway.StartAsync([App("chat", backend)], h2c: true);
        using var invoker = new HttpMessageInvoker(new SocketsHttpHandler { UseProxy = false });

        using var socket = await ConnectAsync(Ws(gateway.H2cAddress!, "/chat/"), o =>
        {
            o.HttpVersion = HttpVersion.Version20;
            o.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        }, invoker);

        socket.HttpStatusCode.Should().Be(HttpStatusCode.OK);
        await SendTextAsync(socket, "over h2");
        (await ReceiveTextAsync(socket)).Should().Be("over h2");
        await SendTextAsync(socket, "who");
        (await ReceiveTextAsync(socket)).Should().Be("h1");
        backend.Openings.Should().ContainSingle().Which.Protocol.Should().Be("HTTP/1.1");
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        NextEnd(backend).Should().Be("client-closed");
    }

    [Fact]
    public async Task H2cEndpoint_Http11Client_TunnelledOverExtendedConnect()
    {
        await using var backend = await WebSocketBackend.StartAsync("h2", HttpProtocols.Http2);
        await using var gateway = await TestGateway.StartAsync([new Dictionary<string, object?>
        {
            ["name"] = "chat",
            ["endpoints"] = new[] { new { host = "127.0.0.1", port = backend.Port, protocol = "h2c" } },
        }]);

        using var socket = await ConnectAsync(Ws(gateway.Address, "/chat/"));

        socket.HttpStatusCode.Should().Be(HttpStatusCode.SwitchingProtocols);
        await SendTextAsync(socket, "to h2c");
        (await ReceiveTextAsync(socket)).Should().Be("to h2c");
        backend.Openings.Should().ContainSingle().Which.Protocol.Should().Be("HTTP/2");
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        NextEnd(backend).Should().Be("client-closed");
    }
}
