using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Valet.Daemon.Tests.Infrastructure;

/// <summary>
/// A real Kestrel WebSocket endpoint (ASP.NET Core's WebSockets middleware) on 127.0.0.1. It echoes
/// every message; "who" is answered with its name, "close-me" makes it close the WebSocket itself.
/// Each connection's end is observable: <see cref="Ended"/> yields how it ended.
/// </summary>
public sealed class WebSocketBackend : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WebSocketBackend(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Every opening request that reached the backend: its protocol and headers.</summary>
    public ConcurrentQueue<(string Protocol, IReadOnlyDictionary<string, string> Headers)> Openings { get; } = new();

    /// <summary>One entry per finished connection: "client-closed", "server-closed" or "broken".</summary>
    public BlockingCollection<string> Ended { get; } = new();

    public static async Task<WebSocketBackend> StartAsync(string name = "ws", HttpProtocols protocols = HttpProtocols.Http1)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = protocols));
        var app = builder.Build();
        WebSocketBackend? self = null;
        app.UseWebSockets();
        app.Run(async context =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = 400;
                await context.Response.WriteAsync("not a websocket");
                return;
            }

            self!.Openings.Enqueue((context.Request.Protocol, context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)));
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            self.Ended.Add(await EchoAsync(socket, name));
        });
        await app.StartAsync();
        self = new WebSocketBackend(app, new Uri(app.Urls.First()).Port);
        return self;
    }

    private static async Task<string> EchoAsync(WebSocket socket, string name)
    {
        var buffer = new byte[256 * 1024];
        try
        {
            while (true)
            {
                var count = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer.AsMemory(count), CancellationToken.None);
                    count += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye from " + name, CancellationToken.None);
                    return "client-closed";
                }

                var text = result.MessageType == WebSocketMessageType.Text ? Encoding.UTF8.GetString(buffer, 0, count) : null;
                if (text == "close-me")
                {
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "closing, " + name, CancellationToken.None);
                    return "server-closed";
                }

                var reply = text == "who" ? Encoding.UTF8.GetBytes(name) : buffer.AsMemory(0, count).ToArray();
                await socket.SendAsync(reply, result.MessageType, true, CancellationToken.None);
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or Microsoft.AspNetCore.Connections.ConnectionAbortedException)
        {
            return "broken";
        }
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
