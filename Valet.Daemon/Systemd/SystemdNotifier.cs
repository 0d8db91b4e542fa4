using System.Net.Sockets;
using System.Text;

namespace Valet.Daemon.Systemd;

/// <summary>
/// Speaks systemd's notification protocol: one datagram per message to the unix socket named by
/// <c>$NOTIFY_SOCKET</c> (a leading '@' means the abstract namespace). Without that variable every
/// call does nothing, so the daemon runs the same outside systemd.
/// </summary>
public sealed class SystemdNotifier : IDisposable
{
    private readonly Socket? _socket;
    private readonly UnixDomainSocketEndPoint? _endpoint;
    private readonly Lock _gate = new();

    public SystemdNotifier(string? notifySocket)
    {
        if (string.IsNullOrEmpty(notifySocket)) return;
        var path = notifySocket[0] == '@' ? "\0" + notifySocket[1..] : notifySocket;
        _endpoint = new UnixDomainSocketEndPoint(path);
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    }

    /// <summary>From the process environment.</summary>
    public static SystemdNotifier FromEnvironment() => new(Environment.GetEnvironmentVariable("NOTIFY_SOCKET"));

    public bool IsEnabled => _socket is not null;

    /// <summary>Sends one message (lines of <c>KEY=value</c>). Failures are ignored: systemd may be gone at shutdown.</summary>
    public void Notify(string message)
    {
        if (_socket is null) return;
        var bytes = Encoding.UTF8.GetBytes(message);
        lock (_gate)
        {
            try
            {
                _socket.SendTo(bytes, SocketFlags.None, _endpoint!);
            }
            catch (SocketException)
            {
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    public void Ready(string status) => Notify($"READY=1\nSTATUS={Sanitize(status)}");

    /// <summary><c>RELOADING=1</c> with the monotonic time systemd needs to match it to the reload request.</summary>
    public void Reloading() => Notify($"RELOADING=1\nMONOTONIC_USEC={MonotonicMicroseconds()}");

    public void Stopping(string status) => Notify($"STOPPING=1\nSTATUS={Sanitize(status)}");

    public void Status(string status) => Notify($"STATUS={Sanitize(status)}");

    public void Watchdog() => Notify("WATCHDOG=1");

    /// <summary>The watchdog interval systemd asked for (<c>$WATCHDOG_USEC</c>), if it is meant for this process.</summary>
    public static TimeSpan? WatchdogInterval()
    {
        var usec = Environment.GetEnvironmentVariable("WATCHDOG_USEC");
        if (!long.TryParse(usec, out var value) || value <= 0) return null;
        var pid = Environment.GetEnvironmentVariable("WATCHDOG_PID");
        if (!string.IsNullOrEmpty(pid) && pid != Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)) return null;
        return TimeSpan.FromMicroseconds(value);
    }

    /// <summary>CLOCK_MONOTONIC in microseconds, as systemd reads it.</summary>
    public static long MonotonicMicroseconds() =>
        (long)(System.Diagnostics.Stopwatch.GetTimestamp() * (1_000_000.0 / System.Diagnostics.Stopwatch.Frequency));

    private static string Sanitize(string status) => status.Replace('\n', ' ');

    public void Dispose() => _socket?.Dispose();
}
