using System.Collections.Concurrent;

namespace Valet.Core.Forwarding;

/// <summary>
/// Reusable <see cref="CancellationTokenSource"/>s for upstream timeouts, so a request does not
/// allocate a source, its timer and its registration list. <see cref="Rent"/> arms one with the
/// app's timeout; <see cref="Return"/> keeps it only if <see cref="CancellationTokenSource.TryReset"/>
/// succeeds, which it refuses for a source that was cancelled or whose timer ever fired, so a late
/// timeout can never cancel the next request that rents the source. The rest are disposed.
/// </summary>
internal sealed class TimeoutSourcePool(TimeProvider time)
{
    /// <summary>More than the requests in flight on a busy node; beyond it sources are simply disposed.</summary>
    internal const int MaxRetained = 1024;

    private readonly ConcurrentQueue<CancellationTokenSource> _free = new();
    private int _retained;

    /// <summary>A source that cancels after <paramref name="timeout"/>, until it is disarmed with <c>CancelAfter(Infinite)</c>.</summary>
    public CancellationTokenSource Rent(TimeSpan timeout)
    {
        if (_free.TryDequeue(out var source))
        {
            Interlocked.Decrement(ref _retained);
            source.CancelAfter(timeout);
            return source;
        }

        return new CancellationTokenSource(timeout, time);
    }

    /// <summary>Takes back a source nobody uses any more (its registrations disposed, its operations ended).</summary>
    public void Return(CancellationTokenSource source)
    {
        if (Interlocked.Increment(ref _retained) <= MaxRetained && source.TryReset())
        {
            _free.Enqueue(source);
            return;
        }

        Interlocked.Decrement(ref _retained);
        source.Dispose();
    }

    /// <summary>How many sources wait to be reused (for tests).</summary>
    internal int Retained => Volatile.Read(ref _retained);
}
