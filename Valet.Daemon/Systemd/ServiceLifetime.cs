using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Valet.Daemon.Hosting;

namespace Valet.Daemon.Systemd;

/// <summary>
/// Replaces the console lifetime so a stop is graceful, in this order:
/// 1. SIGTERM (or SIGINT): readiness fails at once (<c>/ready</c> → 503) and systemd hears STOPPING=1;
/// 2. for the drain delay new connections are still served, so a front load balancer can move away;
/// 3. then the host stops: listeners close and in-flight requests get the shutdown timeout to finish;
///    hosted services (peer streams) stop cleanly.
/// A second signal during the drain delay skips what is left of it.
/// </summary>
public sealed partial class ServiceLifetime(
    IHostApplicationLifetime lifetime, ReadinessState readiness, SystemdNotifier notifier, ValetOptions options,
    TimeProvider time, ILogger<ServiceLifetime> logger) : IHostLifetime, IDisposable
{
    private readonly List<PosixSignalRegistration> _signals = [];
    private readonly CancellationTokenSource _skipDrain = new();
    private int _stopping;

    public Task WaitForStartAsync(CancellationToken cancellationToken)
    {
        _signals.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal));
        _signals.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal));
        _signals.Add(PosixSignalRegistration.Create(PosixSignal.SIGQUIT, OnSignal));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        if (Interlocked.Exchange(ref _stopping, 1) == 1)
        {
            _skipDrain.Cancel();
            return;
        }

        _ = DrainThenStopAsync(context.Signal);
    }

    private async Task DrainThenStopAsync(PosixSignal signal)
    {
        readiness.MarkDraining();
        notifier.Stopping($"draining for {options.DrainDelay.TotalSeconds:0.#}s after {signal}");
        LogDraining(logger, signal.ToString(), options.DrainDelay.TotalSeconds, options.ShutdownTimeout.TotalSeconds);
        try
        {
            await Task.Delay(options.DrainDelay, time, _skipDrain.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        lifetime.StopApplication();
    }

    public void Dispose()
    {
        foreach (var signal in _signals) signal.Dispose();
        _skipDrain.Dispose();
    }

    [LoggerMessage(20, LogLevel.Information, "{Signal}: not ready any more; serving for {DrainSeconds}s more, then in-flight requests get {TimeoutSeconds}s to finish")]
    private static partial void LogDraining(ILogger logger, string signal, double drainSeconds, double timeoutSeconds);
}
