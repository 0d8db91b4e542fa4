using System.Net;
using System.Net.Sockets;

namespace Valet.Peering.Tests.Infrastructure;

/// <summary>
/// A TCP relay on 127.0.0.1 in front of one peer listener. <see cref="Cut"/> breaks every relayed
/// connection and refuses new ones (a partition); <see cref="Heal"/> lets connections through again.
/// </summary>
public sealed class TcpRelay : IDisposable
{
    private readonly TcpListener _listener;
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _open = [];
    private volatile bool _cut;

    private TcpRelay(string name, IPEndPoint target)
    {
        Name = name;
        _target = target;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = AcceptLoopAsync();
    }

    public string Name { get; }

    public int Port { get; }

    public static TcpRelay Start(string name, IPEndPoint target) => new(name, target);

    public void Cut()
    {
        _cut = true;
        lock (_open)
        {
            foreach (var socket in _open) socket.Dispose();
            _open.Clear();
        }
    }

    public void Heal() => _cut = false;

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }

            if (_cut)
            {
                client.Dispose();
                continue;
            }

            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(Socket client)
    {
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        try
        {
            await server.ConnectAsync(_target, _stop.Token);
        }
        catch (Exception)
        {
            client.Dispose();
            server.Dispose();
            return;
        }

        lock (_open)
        {
            _open.Add(client);
            _open.Add(server);
        }

        await Task.WhenAny(PumpAsync(client, server), PumpAsync(server, client));
        client.Dispose();
        server.Dispose();
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (read == 0) return;
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
            }
        }
        catch (Exception)
        {
            // Cut or closed.
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        Cut();
    }
}
