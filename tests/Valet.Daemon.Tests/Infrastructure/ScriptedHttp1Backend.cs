using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Valet.Daemon.Tests.Infrastructure;

/// <summary>
/// A loopback HTTP/1.1 endpoint on raw sockets whose answers a test scripts byte for byte, and
/// which can close a connection after an answer without saying so: for the cases of Valet's own
/// upstream client that Kestrel would never produce. It records every request head it reads and
/// counts the connections it accepted.
/// </summary>
public sealed class ScriptedHttp1Backend : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<int, string, Answer> _script;
    private readonly Task _loop;
    private int _requests;
    private int _connections;

    /// <summary>What to send for one request, and whether to close the connection after it.</summary>
    public readonly record struct Answer(string Bytes, bool Close = false);

    private ScriptedHttp1Backend(Func<int, string, Answer> script)
    {
        _script = script;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _loop = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Request heads read so far, in order.</summary>
    public ConcurrentQueue<string> Heads { get; } = new();

    /// <summary>Starts an endpoint answering request number i (from 0) with <paramref name="script"/>(i, head).</summary>
    public static ScriptedHttp1Backend Start(Func<int, string, Answer> script) => new(script);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }

            Interlocked.Increment(ref _connections);
            _ = ServeAsync(socket);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using (socket)
        {
            var buffer = new byte[16 * 1024];
            var pending = new StringBuilder();
            try
            {
                while (true)
                {
                    int end;
                    while ((end = pending.ToString().IndexOf("\r\n\r\n", StringComparison.Ordinal)) < 0)
                    {
                        var n = await socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                        if (n == 0) return;
                        pending.Append(Encoding.Latin1.GetString(buffer, 0, n));
                    }

                    var head = pending.ToString(0, end + 4);
                    pending.Remove(0, end + 4);
                    Heads.Enqueue(head);
                    var answer = _script(Interlocked.Increment(ref _requests) - 1, head);
                    await socket.SendAsync(Encoding.Latin1.GetBytes(answer.Bytes), SocketFlags.None, _stop.Token);
                    if (answer.Close)
                    {
                        socket.Shutdown(SocketShutdown.Both);
                        return;
                    }
                }
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _loop;
    }
}
