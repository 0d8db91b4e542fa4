using System.Threading.RateLimiting;
using Microsoft.Extensions.ObjectPool;

namespace Valet.Core.RateLimiting;

/// <summary>
/// The lease of one window decision, carrying the figures clients are told (used, remaining, reset)
/// as typed properties and as lease metadata. Leases are pooled: dispose each exactly once.
/// </summary>
public sealed class WindowLease : RateLimitLease
{
    public const string UsedMetadata = "VALET_USED";
    public const string RemainingMetadata = "VALET_REMAINING";
    public const string LimitMetadata = "VALET_LIMIT";
    public const string ResetMetadata = "VALET_RESET";

    private static readonly string[] Names = [MetadataName.RetryAfter.Name, UsedMetadata, RemainingMetadata, LimitMetadata, ResetMetadata];

    private ObjectPool<WindowLease>? _pool;
    private bool _acquired;
    private bool _rented;

    public override bool IsAcquired => _acquired;

    /// <summary>Requests admitted in the window, including this one when admitted.</summary>
    public long Used { get; private set; }

    public long Limit { get; private set; }

    /// <summary>Limit minus used, never below 0.</summary>
    public long Remaining => Math.Max(0, Limit - Used);

    /// <summary>Time until the window ends.</summary>
    public TimeSpan ResetAfter { get; private set; }

    /// <summary>Whole seconds until the window ends, rounded up.</summary>
    public long ResetSeconds => (ResetAfter.Ticks + TimeSpan.TicksPerSecond - 1) / TimeSpan.TicksPerSecond;

    public override IEnumerable<string> MetadataNames => Names;

    internal void Set(ObjectPool<WindowLease>? pool, bool acquired, long used, long limit, TimeSpan resetAfter)
    {
        _pool = pool;
        _rented = true;
        _acquired = acquired;
        Used = used;
        Limit = limit;
        ResetAfter = resetAfter;
    }

    public override bool TryGetMetadata(string metadataName, out object? metadata)
    {
        metadata = metadataName switch
        {
            _ when metadataName == MetadataName.RetryAfter.Name => _acquired ? null : ResetAfter,
            UsedMetadata => Used,
            RemainingMetadata => Remaining,
            LimitMetadata => Limit,
            ResetMetadata => ResetSeconds,
            _ => null,
        };
        return metadata is not null;
    }

    protected override void Dispose(bool disposing)
    {
        if (!_rented) return;
        _rented = false;
        _pool?.Return(this);
    }
}
