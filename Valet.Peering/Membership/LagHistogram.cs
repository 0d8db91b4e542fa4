namespace Valet.Peering.Membership;

/// <summary>
/// Sync lag (apply time minus origin time) in logarithmic microsecond buckets, lock-free. Percentiles
/// are read from the buckets (upper bound of the bucket: at most ~19% above the true value).
/// </summary>
public sealed class LagHistogram
{
    // Bucket i holds values below Bounds[i]; the last is open-ended.
    private static readonly long[] Bounds = BuildBounds();
    private readonly long[] _counts = new long[Bounds.Length + 1];

    private static long[] BuildBounds()
    {
        var bounds = new List<long>();
        for (double b = 10; b < 60_000_000; b *= 1.19) bounds.Add((long)b);
        return bounds.ToArray();
    }

    public void Record(long micros)
    {
        if (micros < 0) micros = 0;
        var index = Array.BinarySearch(Bounds, micros + 1);
        if (index < 0) index = ~index;
        Interlocked.Increment(ref _counts[index]);
    }

    public long Count
    {
        get
        {
            long total = 0;
            for (var i = 0; i < _counts.Length; i++) total += Volatile.Read(ref _counts[i]);
            return total;
        }
    }

    /// <summary>The <paramref name="quantile"/> (0..1) in microseconds, or null with no samples.</summary>
    public double? Percentile(double quantile)
    {
        var counts = new long[_counts.Length];
        long total = 0;
        for (var i = 0; i < counts.Length; i++) total += counts[i] = Volatile.Read(ref _counts[i]);
        if (total == 0) return null;
        var rank = (long)Math.Ceiling(quantile * total);
        long seen = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            seen += counts[i];
            if (seen >= rank) return i < Bounds.Length ? Bounds[i] : Bounds[^1];
        }

        return Bounds[^1];
    }

    /// <summary>Adds another histogram's samples.</summary>
    public void Absorb(LagHistogram other)
    {
        for (var i = 0; i < _counts.Length; i++) Interlocked.Add(ref _counts[i], Volatile.Read(ref other._counts[i]));
    }

    public void Reset()
    {
        for (var i = 0; i < _counts.Length; i++) Volatile.Write(ref _counts[i], 0);
    }
}
