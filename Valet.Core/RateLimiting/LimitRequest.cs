namespace Valet.Core.RateLimiting;

/// <summary>What the limiter decides on: which budget, and its limit and period.</summary>
public readonly record struct LimitRequest(string App, string Partition, long Limit, int Period);
