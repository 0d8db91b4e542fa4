using System.Globalization;
using Valet.Core.Configuration;

namespace Valet.Core.RateLimiting;

/// <summary>The compiled rate-limit settings of an app, and the header values that do not change per request.</summary>
public sealed class RateLimitModel(string app, long limit, int period, LimitBy by, PartitionPolicy partitionPolicy = PartitionPolicy.Share)
{
    public string App { get; } = app;

    public long Limit { get; } = limit;

    public int Period { get; } = period;

    public LimitBy By { get; } = by;

    /// <summary>What the limit does while a cluster peer is unreachable.</summary>
    public PartitionPolicy PartitionPolicy { get; } = partitionPolicy;

    /// <summary><c>RateLimit-Policy</c> for the app's limit, e.g. <c>"userauth";q=2;w=60</c>.</summary>
    public string PolicyHeader { get; } = Policy(app, limit, period);

    public static string Policy(string app, long limit, int period) =>
        string.Create(CultureInfo.InvariantCulture, $"\"{app}\";q={limit};w={period}");
}
