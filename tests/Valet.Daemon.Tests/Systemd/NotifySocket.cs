using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace Valet.Daemon.Tests.Systemd;

/// <summary>Plays systemd's side of sd_notify: a unix datagram socket that collects each message.</summary>
public sealed class NotifySocket : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly Channel<string> _messages = Channel.CreateUnbounded<string>();
    private readonly CancellationTokenSource _stop = new();

    public NotifySocket()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "valet-notify-" + Guid.NewGuid().ToString("N")[..8] + ".sock");
        _socket.Bind(new UnixDomainSocketEndPoint(Path));
        _ = Task.Run(async () =>
        {
            var buffer = new byte[4096];
            while (!_stop.IsCancellationRequested)
            {
                int n;
                try { n = await _socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token); }
                catch (Exception) { return; }
                _messages.Writer.TryWrite(Encoding.UTF8.GetString(buffer, 0, n));
            }
        });
    }

    public string Path { get; }

    /// <summary>The next message that is not a watchdog ping.</summary>
    public async Task<string> NextAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var message = await _messages.Reader.ReadAsync(timeout.Token);
            if (message != "WATCHDOG=1") return message;
        }
    }

    /// <summary>Waits for a watchdog ping.</summary>
    public async Task WatchdogAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await _messages.Reader.ReadAsync(timeout.Token) != "WATCHDOG=1") { }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        File.Delete(Path);
    }
}
