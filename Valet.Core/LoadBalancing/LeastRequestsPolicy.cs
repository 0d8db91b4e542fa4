using Valet.Core.Routing;

namespace Valet.Core.LoadBalancing;

/// <summary>
/// Least requests: the healthy endpoint with the fewest requests in flight, like the balancer of
/// the Go concurrency talk (a work request goes to the least loaded worker). Ties are broken in
/// rotation: the app's cursor, which moves one step per pick, chooses among the endpoints that
/// share the least load, so an idle app behaves exactly like round robin. A slow endpoint holds
/// its requests longer, so it is picked less often.
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
        var cursor = state.NextCursor();

        // One pass: the indices of the healthy endpoints with the least load seen so far.
        Span<int> least = count <= 64 ? stackalloc int[count] : new int[count];
        var tied = 0;
        var leastLoad = int.MaxValue;
        for (var i = 0; i < count; i++)
        {
            if (i == exclude) continue;
            var endpoint = endpoints[i].State;
            if (!endpoint.IsHealthy(nowTicks)) continue;
            var load = endpoint.InFlight;
            if (load > leastLoad) continue;
            if (load < leastLoad)
            {
                leastLoad = load;
                tied = 0;
            }

            least[tied++] = i;
        }

        return tied == 0 ? -1 : least[(int)(cursor % (uint)tied)];
    }
}
