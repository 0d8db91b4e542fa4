using System.Net.Http.Headers;
using Microsoft.Extensions.Hosting;
using Valet.Daemon.Hosting;

namespace Valet.Daemon.Systemd;

/// <summary>
/// Sends WATCHDOG=1 at half of <c>$WATCHDOG_USEC</c>, but only after a request through the daemon's
/// own listener (<c>GET /health</c> on the admin API) was answered: if Kestrel, the thread pool or
/// the pipeline stall, the pings stop and systemd restarts the service.
/// </summary>
public sealed partial class SystemdWatchdog(
    SystemdNotifier notifier, Admin.AdminListener admin, ValetOptions options, TimeProvider time, ILogger<SystemdWatchdog> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!notifier.IsEnabled || SystemdNotifier.WatchdogInterval() is not { } interval) return;
        var period = interval / 2;
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, PooledConnectionIdleTimeout = interval * 2 })
        {
            Timeout = period,
        };
        if (!string.IsNullOrEmpty(options.AdminToken)) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.AdminToken);
        using var timer = new PeriodicTimer(period, time);
        do
        {
            try
            {
                using var response = await client.GetAsync(new Uri(admin.LocalAddress, "/health"), stoppingToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode) notifier.Watchdog();
                else LogProbeFailed(logger, $"status {(int)response.StatusCode}");
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !stoppingToken.IsCancellationRequested)
            {
                LogProbeFailed(logger, e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(21, LogLevel.Warning, "Watchdog probe of the admin listener failed ({Reason}); not pinging systemd")]
    private static partial void LogProbeFailed(ILogger logger, string reason);
}
