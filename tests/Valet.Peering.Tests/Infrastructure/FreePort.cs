using System.Net;
using System.Net.Sockets;

namespace Valet.Peering.Tests.Infrastructure;

/// <summary>
/// A port on 127.0.0.1 that was free a moment ago (peer addresses must be known before the nodes
/// start, and a restarted node takes its port again). Taken below Linux's ephemeral range
/// (32768–60999), which the kernel hands to outgoing connections and to port-0 listeners, so no other
/// socket of this machine takes it in between by chance.
/// </summary>
public static class FreePort
{
    private const int First = 20_000;
    private const int Last = 32_000;

    public static int Next()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(First, Last);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // taken: try another
            }
        }

        throw new InvalidOperationException($"no free port between {First} and {Last} on 127.0.0.1");
    }
}
