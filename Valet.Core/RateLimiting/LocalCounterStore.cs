using System.Collections.Concurrent;

namespace Valet.Core.RateLimiting;

/// <summary>
/// Counts on this node only. One slot per (app, partition, period) holds the count of the current
/// window; a newer window replaces it. Admission is a compare-and-swap loop, so K concurrent
/// requests against a fresh window of limit N admit exactly min(K, N), with no lock.
/// </summary>
public sealed class LocalCounterStore : ICounterStore
{
    private readonly ConcurrentDictionary<SlotKey, Slot> _slots = new();

    public int SlotCount => _slots.Count;

    public CounterResult TryAcquire(in CounterKey key, long limit)
    {
        var window = Current(in key);
        while (true)
        {
            var used = Volatile.Read(ref window.Count);
            if (used >= limit) return new CounterResult(false, used);
            if (Interlocked.CompareExchange(ref window.Count, used + 1, used) == used) return new CounterResult(true, used + 1);
        }
    }

    public long Read(in CounterKey key)
    {
        if (!_slots.TryGetValue(new SlotKey(key.App, key.Partition, key.Period), out var slot)) return 0;
        var window = slot.Window;
        return window.Id == key.Window ? Volatile.Read(ref window.Count) : 0;
    }

    /// <summary>Forgets slots whose window ended before <paramref name="unixSeconds"/> (idle consumers, old IPs).</summary>
    public int Sweep(long unixSeconds)
    {
        var removed = 0;
        foreach (var (key, slot) in _slots)
        {
            if (slot.Window.Id < unixSeconds / key.Period && _slots.TryRemove(key, out _)) removed++;
        }

        return removed;
    }

    private WindowCount Current(in CounterKey key)
    {
        var slot = _slots.GetOrAdd(new SlotKey(key.App, key.Partition, key.Period), static _ => new Slot());
        while (true)
        {
            var window = slot.Window;
            if (window.Id >= key.Window) return window;
            var next = new WindowCount(key.Window);
            if (Interlocked.CompareExchange(ref slot.Window, next, window) == window) return next;
        }
    }

    private readonly record struct SlotKey(string App, string Partition, int Period);

    private sealed class Slot
    {
        public WindowCount Window = new(long.MinValue);
    }

    private sealed class WindowCount(long id)
    {
        public readonly long Id = id;
        public long Count;
    }
}
