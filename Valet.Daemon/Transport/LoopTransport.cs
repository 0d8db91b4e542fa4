using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Valet.Core.Networking;

namespace Valet.Daemon.Transport;

/// <summary>
/// Kestrel's transport on Valet's event loops (<see cref="EventLoop"/>): TCP listeners whose
/// connections are read and written by the loops instead of .NET's socket engine. Bound for IP
/// endpoints; anything else (a Unix socket) falls back to Kestrel's own socket transport.
/// </summary>
internal sealed class LoopTransportFactory(IMemoryPoolFactory<byte> pools) : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    /// <summary>Kestrel's socket transport's default backlog.</summary>
    private const int Backlog = 512;

    public bool CanBind(EndPoint endpoint) => endpoint is IPEndPoint;

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        var ip = (IPEndPoint)endpoint;
        var socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (ip.Address.Equals(IPAddress.IPv6Any)) socket.DualMode = true;
            socket.Bind(ip);
            socket.Listen(Backlog);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            socket.Dispose();
            throw new AddressInUseException(e.Message, e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new ValueTask<IConnectionListener>(new LoopListener(socket, pools.Create(new MemoryPoolOptions { Owner = "valet-loops" })));
    }
}

/// <summary>One listening socket; accepts go through .NET's engine (rare), the connections' I/O through the loops.</summary>
internal sealed class LoopListener(Socket listen, MemoryPool<byte> pool) : IConnectionListener
{
    public EndPoint EndPoint { get; } = listen.LocalEndPoint!;

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Socket accepted;
            try
            {
                accepted = await listen.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                return null; // unbound
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.OperationAborted)
            {
                return null;
            }
            catch (SocketException)
            {
                continue; // a connection reset before it was accepted: take the next
            }

            try
            {
                accepted.NoDelay = true;
                var connection = new LoopConnection(accepted, pool);
                connection.Start();
                return connection;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
            {
                // Reset between accept and setup, or the loop could not watch it: this one only.
                accepted.Dispose();
            }
        }
    }

    public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        listen.Dispose();
        return default;
    }

    public ValueTask DisposeAsync()
    {
        listen.Dispose();
        pool.Dispose();
        return default;
    }
}
