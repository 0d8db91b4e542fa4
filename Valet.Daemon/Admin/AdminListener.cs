using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Valet.Daemon.Admin;

/// <summary>
/// The admin API's own Kestrel listener in the gateway's WebApplication. Requests are told apart
/// by the local port they arrived on, so admin routes never answer on the public port and public
/// routes never answer here.
/// </summary>
public sealed class AdminListener(IPAddress? bind, int port)
{
    private ListenOptions? _listen;

    /// <summary>Adds the listener (HTTP/1.1) to Kestrel.</summary>
    public void Listen(KestrelServerOptions kestrel)
    {
        if (bind is null) kestrel.ListenAnyIP(port, Capture);
        else kestrel.Listen(bind, port, Capture);
    }

    /// <summary>The bound port: the configured one, or the one picked for port 0 once Kestrel has started.</summary>
    public int Port => (_listen?.EndPoint as IPEndPoint)?.Port ?? port;

    /// <summary>The listener's base address, e.g. <c>http://127.0.0.1:8001</c> (after start).</summary>
    public Uri Address
    {
        get
        {
            var host = bind is null ? "0.0.0.0" : bind.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{bind}]" : bind.ToString();
            return new Uri($"http://{host}:{Port}");
        }
    }

    /// <summary>An address this process can reach the listener at: loopback when bound to every interface.</summary>
    public Uri LocalAddress
    {
        get
        {
            var target = bind is null || bind.Equals(IPAddress.Any) ? IPAddress.Loopback : bind.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback : bind;
            var host = target.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{target}]" : target.ToString();
            return new Uri($"http://{host}:{Port}");
        }
    }

    /// <summary>Whether the request arrived on the admin listener.</summary>
    public bool Owns(HttpContext context) => context.Connection.LocalPort == Port;

    private void Capture(ListenOptions listen)
    {
        listen.Protocols = HttpProtocols.Http1;
        _listen = listen;
    }
}
