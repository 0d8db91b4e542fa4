using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Valet.Peering.Client;
using Valet.Peering.Membership;
using Valet.Peering.Server;
using Valet.Peering.Sync;

namespace Valet.Peering;

/// <summary>
/// One node's peering, assembled: membership, the cluster counter store (Core's
/// <see cref="Valet.Core.RateLimiting.ICounterStore"/>), the sync pump, a link per configured peer and
/// the handler of the peer listener. <see cref="Ready"/> completes when every configured peer's
/// snapshot has been merged, or when <see cref="PeeringOptions.StartupWait"/> has passed.
/// </summary>
public sealed class PeeringNode : IAsyncDisposable
{
    private readonly TaskCompletionSource<bool> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private Task? _pump;
    private bool _started;
    private int _disposed;

    public PeeringNode(PeeringOptions options, TimeProvider? time = null, ILoggerFactory? loggers = null)
    {
        Options = options;
        Time = time ?? TimeProvider.System;
        var logger = (loggers ?? NullLoggerFactory.Instance).CreateLogger("Valet.Peering");
        Metrics = new PeeringMetrics();
        Membership = new ClusterMembership(options, Time);
        Store = new ClusterCounterStore(Membership, Time, Metrics, options.MaxCounters);
        Metrics.Observe(Membership);
        var receiver = new SyncReceiver(Store, Time, Metrics);
        Links = Membership.Peers.Where(p => p.Address is not null)
            .Select(p => new PeerLink(p, options, Time, Store, Membership, receiver, logger))
            .ToArray();
        Pump = new SyncPump(options, Time, Store, Membership, () => Links);
        Store.Dirtied = Pump.Signal;
        Handler = new PeerRequestHandler(options, Time, new PeerAuthenticator(options.Token), new HealthService(() => IsReady),
            new PeeringService(options, Time, Store, Membership, receiver, logger), Membership, Metrics);
    }

    public PeeringOptions Options { get; }

    public TimeProvider Time { get; }

    public PeeringMetrics Metrics { get; }

    public ClusterMembership Membership { get; }

    public ClusterCounterStore Store { get; }

    public SyncPump Pump { get; }

    public IReadOnlyList<PeerLink> Links { get; }

    /// <summary>Serves every request of the peer listener.</summary>
    public PeerRequestHandler Handler { get; }

    /// <summary>True when every peer's snapshot arrived; false when the startup wait ran out first.</summary>
    public Task<bool> Ready => _ready.Task;

    /// <summary>The readiness signal (for Health/Check and the admin API's /ready).</summary>
    public bool IsReady => _ready.Task.IsCompleted;

    /// <summary>Every peer as <c>GET /peers</c> shows it.</summary>
    public IReadOnlyList<PeerStatus> Peers() => Membership.Status();

    /// <summary>Starts the pump and the links; returns at once (await <see cref="Ready"/> to wait for the catch-up).</summary>
    public void Start()
    {
        if (_started) return;
        _started = true;
        _pump = Task.Run(() => Pump.RunAsync(_stop.Token));
        foreach (var link in Links) link.Start();
        _ = CompleteReadinessAsync();
    }

    private async Task CompleteReadinessAsync()
    {
        var caughtUp = Task.WhenAll(Links.Select(l => l.CaughtUp));
        try
        {
            await caughtUp.WaitAsync(Options.StartupWait, Time, _stop.Token).ConfigureAwait(false);
            _ready.TrySetResult(true);
        }
        catch (TimeoutException)
        {
            _ready.TrySetResult(false);
        }
        catch (OperationCanceledException)
        {
            _ready.TrySetResult(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var link in Links) await link.DisposeAsync().ConfigureAwait(false);
        if (_pump is not null) await _pump.ConfigureAwait(false);
        _ready.TrySetResult(false);
        Metrics.Dispose();
        _stop.Dispose();
    }
}
