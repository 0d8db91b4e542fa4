using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Valet.Core.RateLimiting;

/// <summary>Writes where a client stands: <c>X-Ratelimit-*</c> and the IETF <c>RateLimit</c>/<c>RateLimit-Policy</c> headers.</summary>
public static class RateLimitHeaders
{
    public static void Write(IHeaderDictionary headers, WindowLease lease, string policy, string policyName)
    {
        var reset = lease.ResetSeconds;
        var remaining = lease.Remaining;
        headers["X-Ratelimit-Used"] = lease.Used.ToString(CultureInfo.InvariantCulture);
        headers["X-Ratelimit-Remaining"] = remaining.ToString(CultureInfo.InvariantCulture);
        headers["X-Ratelimit-Reset"] = reset.ToString(CultureInfo.InvariantCulture);
        headers["RateLimit-Policy"] = policy;
        headers["RateLimit"] = string.Create(CultureInfo.InvariantCulture, $"\"{policyName}\";r={remaining};t={reset}");
        if (!lease.IsAcquired) headers.RetryAfter = Math.Max(1, reset).ToString(CultureInfo.InvariantCulture);
    }
}
