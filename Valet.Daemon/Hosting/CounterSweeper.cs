using Microsoft.Extensions.Hosting;
using Valet.Core.RateLimiting;

namespace Valet.Daemon.Hosting;

/// <summary>Once a minute, forgets rate-limit counters of windows that have ended (idle consumers and IPs).</summary>
public sealed class CounterSweeper(LocalCounterStore store, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                store.Sweep(time.GetUtcNow().ToUnixTimeSeconds());
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
