using System.Net;
using System.Net.Sockets;

namespace Valet.Daemon.Tests.Infrastructure;

/// <summary>A loopback port with nothing listening on it (bound once, then released).</summary>
public static class ClosedPort
{
    public static int Get()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
