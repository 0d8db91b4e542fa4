using Valet.Core.Configuration;

namespace Valet.Core.RateLimiting;

/// <summary>What the limiter decides on: which budget, its limit and period, and what to do while the cluster is split.</summary>
public readonly record struct LimitRequest(string App, string Partition, long Limit, int Period, PartitionPolicy PartitionPolicy = PartitionPolicy.Share);
