using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Valet.Core.RateLimiting;

/// <summary>Writes where a client stands: <c>X-Ratelimit-*</c> and the IETF <c>RateLimit</c>/<c>RateLimit-Policy</c> headers.</summary>
public static class RateLimitHeaders
{
    // Reset is at most the period and most limits are small, so the figures of nearly every answer
    // repeat: their texts are made once (a benign race makes one twice, never a wrong one).
    private const int CachedNumbers = 4096;
    private static readonly string?[] Numbers = new string?[CachedNumbers];

    public static void Write(IHeaderDictionary headers, WindowLease lease, string policy, string policyName)
    {
        var reset = Text(lease.ResetSeconds);
        var remaining = Text(lease.Remaining);
        headers["X-Ratelimit-Used"] = Text(lease.Used);
        headers["X-Ratelimit-Remaining"] = remaining;
        headers["X-Ratelimit-Reset"] = reset;
        headers["RateLimit-Policy"] = policy;
        headers["RateLimit"] = string.Concat(["\"", policyName, "\";r=", remaining, ";t=", reset]);
        if (!lease.IsAcquired) headers.RetryAfter = Text(Math.Max(1, lease.ResetSeconds));
    }

    /// <summary>The decimal text of a non-negative figure.</summary>
    internal static string Text(long value) =>
        (ulong)value < CachedNumbers
            ? Numbers[value] ??= value.ToString(CultureInfo.InvariantCulture)
            : value.ToString(CultureInfo.InvariantCulture);
}
