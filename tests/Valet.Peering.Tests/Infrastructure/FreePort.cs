using System.Net;
using System.Net.Sockets;

namespace Valet.Peering.Tests.Infrastructure;

/// <summary>An ephemeral port on 127.0.0.1 that was free a moment ago (peer addresses must be known before the nodes start).</summary>
public static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
