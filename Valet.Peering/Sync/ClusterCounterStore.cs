using System.Collections.Concurrent;
using Valet.Core.Configuration;
using Valet.Core.RateLimiting;
using Valet.Peering.Membership;
using Valet.Peering.Protocol.V1;

namespace Valet.Peering.Sync;

/// <summary>
/// The cluster's rate-limit counts on one node, behind Core's <see cref="ICounterStore"/>.
/// <para>Consistency model (see also <c>protos/valet/peering/v1/peering.proto</c>): per key =
/// (app, partition, period, window) this node keeps <c>own</c>, the requests it admitted, and
/// <c>seen[node]</c>, the highest cumulative count heard from each other node. Cluster used =
/// own + Σ seen. Peers receive own as a cumulative total (never a delta) and merge by max, so
/// duplicated, reordered, replayed or lost messages cannot corrupt a count; a lost one is repaired
/// by the next one or by the snapshot sent on every (re)connection.</para>
/// <para>Admission: own + Σ seen + 1 ≤ limit, in one CAS on own (exact on this node; across nodes
/// over-admission is bounded by what peers admitted within one sync lag). While a peer is down and
/// the app's partition policy is <see cref="PartitionPolicy.Share"/>, a node spends at most
/// (limit − what it knows others used) / nodes during the partition: never over the limit.
/// <see cref="PartitionPolicy.Open"/> keeps counting as usual (up to nodes × limit).</para>
/// <para>Near the limit (remaining ≤ <see cref="NearLimitZone"/>) in a whole cluster, a node spends
/// only its share of what remains, ⌈remaining / nodes⌉, and takes a new share of the new remainder
/// only once it has heard from every peer since (a count or a heartbeat, at least every heartbeat
/// interval). Plain own + Σ seen + 1 ≤ limit lets each node spend the whole remainder before the
/// others' counts arrive, over-admitting by up to (nodes − 1) × rate × lag; with shares, what the
/// nodes admit between two rounds of news adds up to the remainder they knew of. Below 0.95 × the
/// limit the first share of a pair always covers what is left of a window, so no request is refused early.</para>
/// <para>Windows: a slot per (app, partition, period) holds a ring of four windows, so a peer whose
/// clock is slightly ahead can send next-window counts without erasing the current window. Updates
/// about windows more than one window from now are ignored and counted.</para>
/// </summary>
public sealed class ClusterCounterStore : ICounterStore
{
    private const int Ring = 4;
    private const int MaxAppLength = 63;
    private const int MaxPartitionLength = 256;

    private readonly ConcurrentDictionary<SlotKey, Slot> _slots = new();
    private readonly ConcurrentQueue<ClusterWindow> _dirty = new();
    private readonly ConcurrentQueue<ClusterWindow> _resend = new();

    /// <summary>How many times a window's count is sent again after its last change (see <see cref="DrainResends"/>).</summary>
    public const int ResendRounds = 2;
    private readonly ClusterMembership _membership;
    private readonly TimeProvider _time;
    private readonly PeeringMetrics _metrics;
    private readonly int _maxCounters;
    /// <summary>How close to the limit the share rule starts: a tenth of it, and at least four requests per node.</summary>
    public static long NearLimitZone(long limit, int nodes) => Math.Max(limit / 10, 4L * nodes);
    private Func<string, bool>? _isKnownApp;

    public ClusterCounterStore(ClusterMembership membership, TimeProvider time, PeeringMetrics metrics, int maxCounters = 1_000_000)
    {
        _membership = membership;
        _time = time;
        _metrics = metrics;
        _maxCounters = maxCounters;
    }

    /// <summary>Called after an increment made a window dirty (the sync pump's wake-up).</summary>
    public Action? Dirtied { get; set; }

    /// <summary>Whether an app name is configured here; updates for other apps are ignored. Null accepts all.</summary>
    public Func<string, bool>? IsKnownApp
    {
        get => Volatile.Read(ref _isKnownApp);
        set => Volatile.Write(ref _isKnownApp, value);
    }

    public int SlotCount => _slots.Count;

    public CounterResult TryAcquire(in CounterKey key, long limit) => TryAcquire(key, limit, PartitionPolicy.Share);

    public CounterResult TryAcquire(in CounterKey key, long limit, PartitionPolicy policy)
    {
        var slot = _slots.GetOrAdd(new SlotKey(key.App, key.Partition, key.Period), static _ => new Slot());
        slot.Counted(key.Window);
        var window = WindowFor(slot, key, create: true);
        if (window is null) return new CounterResult(false, 0);
        if (policy == PartitionPolicy.Share && _membership.IsPartitioned) return AcquireShare(window, limit);
        var nodes = _membership.NodeCount;
        while (true)
        {
            var own = Volatile.Read(ref window.Own);
            var used = own + Volatile.Read(ref window.SeenTotal);
            if (used >= limit) return new CounterResult(false, used);
            if (nodes > 1 && limit - used <= NearLimitZone(limit, nodes) && !_membership.IsPartitioned) return AcquireNearLimit(window, limit, nodes);
            if (Interlocked.CompareExchange(ref window.Own, own + 1, own) == own)
            {
                MarkDirty(window);
                return new CounterResult(true, used + 1);
            }
        }
    }

    // While partitioned: spend at most an equal share (over every node believed to exist, reachable
    // or not) of what remained apart from this node's own partition-time admissions. The share shrinks
    // as late news of other nodes' counts arrives, so a snapshot received after the partition began
    // still counts.
    private CounterResult AcquireShare(ClusterWindow window, long limit)
    {
        lock (window)
        {
            var epoch = _membership.PartitionEpoch;
            if (window.PartitionEpoch != epoch)
            {
                window.PartitionEpoch = epoch;
                window.PartitionAdmitted = 0;
            }

            var used = window.Used;
            var others = used - window.PartitionAdmitted;
            var share = Math.Max(0, limit - others) / _membership.NodeCount;
            if (used >= limit || window.PartitionAdmitted >= share) return new CounterResult(false, used);
            Interlocked.Increment(ref window.Own);
            window.PartitionAdmitted++;
            MarkDirty(window);
            return new CounterResult(true, used + 1);
        }
    }

    // Close to the limit: admit only within this node's share of the remainder, and take a new share
    // once every peer has been heard from since the current one was taken (a batch or a heartbeat: a
    // peer's stream is in order, so by then its earlier counts have arrived too).
    private CounterResult AcquireNearLimit(ClusterWindow window, long limit, int nodes)
    {
        lock (window)
        {
            var used = window.Used;
            if (used >= limit) return new CounterResult(false, used);
            if (window.ShareAt == 0 || HeardFromEveryPeerSince(window.ShareAt))
            {
                window.ShareAt = Math.Max(1, _time.GetTimestamp());
                window.ShareBaseOwn = Volatile.Read(ref window.Own);
                window.Share = (limit - used + nodes - 1) / nodes;
            }

            if (Volatile.Read(ref window.Own) - window.ShareBaseOwn >= window.Share) return new CounterResult(false, used);
            Interlocked.Increment(ref window.Own);
            MarkDirty(window);
            return new CounterResult(true, used + 1);
        }
    }

    private bool HeardFromEveryPeerSince(long timestamp)
    {
        foreach (var peer in _membership.Peers)
        {
            if (peer.Address is not null && peer.LastMessage <= timestamp) return false;
        }

        return true;
    }

    public long Read(in CounterKey key)
    {
        if (!_slots.TryGetValue(new SlotKey(key.App, key.Partition, key.Period), out var slot)) return 0;
        if (key.Window < slot.NewestCounted) return 0;
        return WindowFor(slot, key, create: false) is { } window ? window.Used : 0;
    }

    /// <summary>This node's own count for a key (diagnostics and tests).</summary>
    public long ReadOwn(in CounterKey key) =>
        _slots.TryGetValue(new SlotKey(key.App, key.Partition, key.Period), out var slot) && WindowFor(slot, key, create: false) is { } window
            ? Volatile.Read(ref window.Own)
            : 0;

    /// <summary>Merges one cumulative count of <paramref name="origin"/>; rejected updates change nothing and are counted.</summary>
    public MergeOutcome Merge(string origin, CounterUpdate update)
    {
        var outcome = MergeCore(origin, update);
        _metrics.Record(outcome);
        return outcome;
    }

    private MergeOutcome MergeCore(string origin, CounterUpdate update)
    {
        if (update.App.Length is 0 or > MaxAppLength || update.Partition.Length is 0 or > MaxPartitionLength
            || update.Period is < 1 or > 86_400 || origin.Length is 0 or > MaxPartitionLength)
        {
            return MergeOutcome.BadKey;
        }

        if (update.Count is < 0 or > int.MaxValue) return MergeOutcome.BadCount;
        if (IsKnownApp is { } known && !known(update.App)) return MergeOutcome.UnknownApp;
        var current = _time.GetUtcNow().ToUnixTimeSeconds() / update.Period;
        if (Math.Abs(update.Window - current) > 1) return MergeOutcome.WindowOutOfRange;
        var index = _membership.Nodes.IndexOf(origin);
        if (index < 0) return MergeOutcome.TooManyNodes;

        var slotKey = new SlotKey(update.App, update.Partition, update.Period);
        if (!_slots.TryGetValue(slotKey, out var slot))
        {
            if (_slots.Count >= _maxCounters) return MergeOutcome.TooManyCounters;
            slot = _slots.GetOrAdd(slotKey, static _ => new Slot());
        }

        var key = new CounterKey(update.App, update.Partition, update.Period, update.Window);
        if (WindowFor(slot, key, create: true) is not { } window) return MergeOutcome.WindowOutOfRange;
        if (index == 0)
        {
            // Our own earlier count, as a peer remembers it: a restarted node resumes from it.
            if (RaiseTo(ref window.Own, update.Count) > 0) MarkDirty(window);
        }
        else
        {
            var delta = RaiseTo(ref window.Seen[index], update.Count);
            if (delta > 0) Interlocked.Add(ref window.SeenTotal, delta);
        }

        return MergeOutcome.Merged;
    }

    private static long RaiseTo(ref long location, long value)
    {
        while (true)
        {
            var current = Volatile.Read(ref location);
            if (value <= current) return 0;
            if (Interlocked.CompareExchange(ref location, value, current) == current) return value - current;
        }
    }

    private void MarkDirty(ClusterWindow window)
    {
        if (Interlocked.Exchange(ref window.Dirty, 1) != 0) return;
        Volatile.Write(ref window.DirtySince, UnixMicros(_time));
        _dirty.Enqueue(window);
        Dirtied?.Invoke();
    }

    /// <summary>True when increments wait to be sent.</summary>
    public bool HasDirty => !_dirty.IsEmpty;

    /// <summary>
    /// Takes up to <paramref name="max"/> windows whose own count changed since they were last taken,
    /// as cumulative updates. <paramref name="oldestMicros"/> is when the oldest of those increments happened.
    /// </summary>
    public int Drain(List<CounterUpdate> into, int max, out long oldestMicros)
    {
        oldestMicros = long.MaxValue;
        var taken = 0;
        while (taken < max && _dirty.TryDequeue(out var window))
        {
            Interlocked.Exchange(ref window.Dirty, 0);
            oldestMicros = Math.Min(oldestMicros, Volatile.Read(ref window.DirtySince));
            into.Add(Update(window.Key, Volatile.Read(ref window.Own), null));
            if (Interlocked.Exchange(ref window.Resends, ResendRounds) == 0) _resend.Enqueue(window);
            taken++;
        }

        if (taken == 0) oldestMicros = 0;
        return taken;
    }

    /// <summary>
    /// Anti-entropy: the current counts of windows sent since the last call or the one before, so the
    /// last count of a window that then went quiet is repaired even if that one message was lost (on a
    /// stream that broke just then, say). A window is sent again <see cref="ResendRounds"/> times after
    /// its last change; each round is one message per changed window, so a busy window costs nothing
    /// extra per request.
    /// </summary>
    public int DrainResends(List<CounterUpdate> into, int max)
    {
        var taken = 0;
        for (var pending = _resend.Count; pending > 0 && taken < max && _resend.TryDequeue(out var window); pending--)
        {
            into.Add(Update(window.Key, Volatile.Read(ref window.Own), null));
            taken++;
            if (Interlocked.Decrement(ref window.Resends) > 0) _resend.Enqueue(window);
        }

        return taken;
    }

    /// <summary>Every live window (current or next) this node knows: its own counts and those heard from others.</summary>
    public List<CounterUpdate> Snapshot()
    {
        var updates = new List<CounterUpdate>();
        var nowSeconds = _time.GetUtcNow().ToUnixTimeSeconds();
        var nodes = _membership.Nodes;
        foreach (var (key, slot) in _slots)
        {
            var current = nowSeconds / key.Period;
            for (var i = 0; i < Ring; i++)
            {
                var window = Volatile.Read(ref slot.Windows[i]);
                if (window is null || window.Key.Window < current) continue;
                var own = Volatile.Read(ref window.Own);
                if (own > 0) updates.Add(Update(window.Key, own, nodes.Self));
                for (var n = 1; n < window.Seen.Length; n++)
                {
                    var seen = Volatile.Read(ref window.Seen[n]);
                    if (seen > 0 && nodes.IdAt(n) is { } id) updates.Add(Update(window.Key, seen, id));
                }
            }
        }

        return updates;
    }

    /// <summary>Forgets slots whose newest window ended more than one window before <paramref name="unixSeconds"/>.</summary>
    public int Sweep(long unixSeconds)
    {
        var removed = 0;
        foreach (var (key, slot) in _slots)
        {
            var newest = long.MinValue;
            for (var i = 0; i < Ring; i++)
            {
                if (Volatile.Read(ref slot.Windows[i]) is { } window) newest = Math.Max(newest, window.Key.Window);
            }

            if (newest < (unixSeconds / key.Period) - 1 && _slots.TryRemove(key, out _)) removed++;
        }

        return removed;
    }

    private ClusterWindow? WindowFor(Slot slot, in CounterKey key, bool create)
    {
        ref var entry = ref slot.Windows[(int)(key.Window & (Ring - 1))];
        while (true)
        {
            var window = Volatile.Read(ref entry);
            if (window is not null && window.Key.Window == key.Window) return window;
            if (window is not null && window.Key.Window > key.Window) return null;
            if (!create) return null;
            var fresh = new ClusterWindow(key, _membership.Nodes.Capacity);
            if (Interlocked.CompareExchange(ref entry, fresh, window) == window) return fresh;
        }
    }

    private static CounterUpdate Update(in CounterKey key, long count, string? origin)
    {
        var update = new CounterUpdate { App = key.App, Partition = key.Partition, Period = key.Period, Window = key.Window, Count = count };
        if (origin is not null) update.Origin = origin;
        return update;
    }

    internal static long UnixMicros(TimeProvider time) => (time.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    private readonly record struct SlotKey(string App, string Partition, int Period);

    private sealed class Slot
    {
        public readonly ClusterWindow?[] Windows = new ClusterWindow?[Ring];
        private long _newestCounted = long.MinValue;

        public long NewestCounted => Volatile.Read(ref _newestCounted);

        public void Counted(long window)
        {
            while (true)
            {
                var newest = Volatile.Read(ref _newestCounted);
                if (window <= newest || Interlocked.CompareExchange(ref _newestCounted, window, newest) == newest) return;
            }
        }
    }
}
