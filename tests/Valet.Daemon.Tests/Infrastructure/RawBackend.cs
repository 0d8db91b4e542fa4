using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Valet.Daemon.Tests.Infrastructure;

/// <summary>A loopback TCP server that answers every request with fixed bytes, for answers Kestrel cannot make.</summary>
public sealed class RawBackend : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private RawBackend(TcpListener listener, byte[] answer)
    {
        _listener = listener;
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
                catch (Exception) { return; }
                _ = Task.Run(async () =>
                {
                    using (client)
                    {
                        var stream = client.GetStream();
                        var buffer = new byte[8192];
                        var seen = new StringBuilder();
                        while (!seen.ToString().Contains("\r\n\r\n"))
                        {
                            var n = await stream.ReadAsync(buffer);
                            if (n == 0) return;
                            seen.Append(Encoding.ASCII.GetString(buffer, 0, n));
                        }

                        await stream.WriteAsync(answer);
                        await stream.FlushAsync();
                        client.Client.Shutdown(SocketShutdown.Send);
                        while (await stream.ReadAsync(buffer) > 0) { }
                    }
                });
            }
        });
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public static Task<RawBackend> StartAsync(string answer)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return Task.FromResult(new RawBackend(listener, Encoding.ASCII.GetBytes(answer)));
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _loop;
    }
}
