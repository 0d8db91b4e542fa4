using Valet.Core.Routing;

namespace Valet.Core.LoadBalancing;

/// <summary>
/// Strict rotation: one atomic increment of the app's cursor per pick, so concurrent requests
/// still cycle through the endpoints in order. Unhealthy endpoints are passed over to the next
/// healthy one in rotation order.
/// </summary>
public sealed class RoundRobinPolicy : ILoadBalancingPolicy
{
    public static readonly RoundRobinPolicy Instance = new();

    public string Name => "roundRobin";

    public int Pick(ReadOnlySpan<EndpointModel> endpoints, AppState state, long nowTicks, int exclude)
    {
        var count = endpoints.Length;
        if (count == 0) return -1;
        var start = (int)(state.NextCursor() % (uint)count);
        for (var i = 0; i < count; i++)
        {
            var index = start + i;
            if (index >= count) index -= count;
            if (index != exclude && endpoints[index].State.IsHealthy(nowTicks)) return index;
        }

        return -1;
    }
}
