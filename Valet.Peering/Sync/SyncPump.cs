using Valet.Peering.Client;
using Valet.Peering.Membership;
using Valet.Peering.Protocol.V1;

namespace Valet.Peering.Sync;

/// <summary>
/// The one loop that moves this node's counts out, in order, each time it wakes (at the first
/// unsent increment, and at least every half heartbeat interval):
/// 1. drain the dirty windows into batches of at most <see cref="PeeringOptions.MaxBatchUpdates"/>
///    (so a batch leaves microseconds after its first increment; increments that arrive while a
///    batch is being written go in the next one);
/// 2. queue each batch, once framed, on every peer's active sink;
/// 3. every heartbeat interval, re-send the counts of windows that changed lately (anti-entropy, see
///    <see cref="ClusterCounterStore.DrainResends"/>); queue a heartbeat on every stream idle for a
///    heartbeat interval;
/// 4. re-evaluate peer health and end silent links; every second sample rates, every 10 s sweep old windows.
/// </summary>
public sealed class SyncPump(PeeringOptions options, TimeProvider time, ClusterCounterStore store, ClusterMembership membership, Func<IReadOnlyList<PeerLink>> links)
{
    private readonly SemaphoreSlim _wake = new(0);
    private int _signaled;

    /// <summary>Wakes the pump (the store calls it at a window's first unsent increment).</summary>
    public void Signal()
    {
        if (Interlocked.Exchange(ref _signaled, 1) == 0) _wake.Release();
    }

    public async Task RunAsync(CancellationToken stop)
    {
        var updates = new List<CounterUpdate>(options.MaxBatchUpdates);
        var tick = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, options.HeartbeatInterval.Ticks / 2));
        var lastRates = time.GetTimestamp();
        var lastSweep = lastRates;
        var lastResend = lastRates;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await _wake.WaitAsync(tick, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            Volatile.Write(ref _signaled, 0);

            // 1., 2. batches
            var peers = membership.Peers;
            while (store.HasDirty)
            {
                updates.Clear();
                store.Drain(updates, options.MaxBatchUpdates, out var oldest);
                if (updates.Count == 0) break;
                var frame = SyncFrames.Batch(options.NodeId, updates, oldest);
                foreach (var peer in peers) peer.ActiveSink?.TryEnqueue(frame);
            }

            // 3. anti-entropy, heartbeats
            var now = time.GetTimestamp();
            if (time.GetElapsedTime(lastResend, now) >= options.HeartbeatInterval)
            {
                lastResend = now;
                updates.Clear();
                while (store.DrainResends(updates, options.MaxBatchUpdates) > 0)
                {
                    var frame = SyncFrames.Batch(options.NodeId, updates, originMicros: 0); // no increment is new: not a lag sample
                    foreach (var peer in peers) peer.ActiveSink?.TryEnqueue(frame);
                    if (updates.Count < options.MaxBatchUpdates) break;
                    updates.Clear();
                }
            }

            byte[]? heartbeat = null;
            foreach (var peer in peers)
            {
                Heartbeat(peer.LinkSink, now, ref heartbeat);
                Heartbeat(peer.InboundSink, now, ref heartbeat);
            }

            // 4. health
            membership.Evaluate();
            foreach (var link in links()) link.CheckSilence(now);
            if (time.GetElapsedTime(lastRates, now) >= TimeSpan.FromSeconds(1))
            {
                membership.SampleRates();
                lastRates = now;
            }

            if (time.GetElapsedTime(lastSweep, now) >= TimeSpan.FromSeconds(10))
            {
                store.Sweep(time.GetUtcNow().ToUnixTimeSeconds());
                lastSweep = now;
            }
        }
    }

    private void Heartbeat(SyncSink? sink, long now, ref byte[]? frame)
    {
        if (sink is not { IsOpen: true } || time.GetElapsedTime(sink.LastEnqueued, now) < options.HeartbeatInterval) return;
        frame ??= SyncFrames.Heartbeat(time);
        sink.TryEnqueue(frame);
    }
}
