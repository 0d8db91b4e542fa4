using Valet.Core.Routing;

namespace Valet.Core.LoadBalancing;

/// <summary>
/// Least requests: the healthy endpoint with the fewest requests in flight, like the balancer of
/// the Go concurrency talk (a work request goes to the least loaded worker). Ties are broken in
/// rotation: the scan starts at the app's cursor, which moves one step per pick, so endpoints
/// with equal load are used in turn and an idle app behaves exactly like round robin. A slow
/// endpoint holds its requests longer, so it is picked less often.
/// </summary>
/// <remarks>
/// The count is read when picking and raised when the request is sent, so two requests picked at
/// the same instant may see the same counts; the policy balances load, it does not reserve slots.
/// </remarks>
public sealed class LeastRequestsPolicy : ILoadBalancingPolicy
{
    public static readonly LeastRequestsPolicy Instance = new();

    public string Name => "leastRequests";

    public int Pick(ReadOnlySpan<EndpointModel> endpoints, AppState state, long nowTicks, int exclude)
    {
        var count = endpoints.Length;
        if (count == 0) return -1;
        var start = (int)(state.NextCursor() % (uint)count);
        var best = -1;
        var bestLoad = int.MaxValue;
        for (var i = 0; i < count; i++)
        {
            var index = start + i;
            if (index >= count) index -= count;
            if (index == exclude) continue;
            var endpoint = endpoints[index].State;
            if (!endpoint.IsHealthy(nowTicks)) continue;
            var load = endpoint.InFlight;
            if (load >= bestLoad) continue;
            best = index;
            bestLoad = load;
            if (load == 0) break;
        }

        return best;
    }
}
