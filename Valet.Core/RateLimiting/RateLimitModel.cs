using System.Globalization;
using System.Net;
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

    /// <summary>
    /// The budget a request draws on: the whole app, the consumer (whose own limit, when given,
    /// replaces the app's) or the client address; <paramref name="policy"/> is its RateLimit-Policy.
    /// </summary>
    public LimitRequest RequestFor(string? consumerId, long? consumerLimit, IPAddress? clientIp, out string policy)
    {
        var partition = "*";
        var value = Limit;
        policy = PolicyHeader;
        switch (By)
        {
            case LimitBy.Consumer when consumerId is not null:
                partition = consumerId;
                if (consumerLimit is { } own)
                {
                    value = own;
                    policy = Policy(App, own, Period);
                }

                break;
            case LimitBy.Ip:
                partition = clientIp is null ? "unknown" : (clientIp.IsIPv4MappedToIPv6 ? clientIp.MapToIPv4() : clientIp).ToString();
                break;
        }

        return new LimitRequest(App, partition, value, Period, PartitionPolicy);
    }
}
