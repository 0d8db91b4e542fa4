using Valet.Core.Routing;

namespace Valet.Core.LoadBalancing;

/// <summary>Chooses the endpoint for one upstream attempt.</summary>
public interface ILoadBalancingPolicy
{
    /// <summary>The name used in app files (<c>loadBalancing</c>).</summary>
    string Name { get; }

    /// <summary>
    /// Index of the endpoint to use, skipping unhealthy ones and <paramref name="exclude"/>
    /// (the endpoint that just failed, or -1); -1 when no endpoint can be used.
    /// </summary>
    int Pick(ReadOnlySpan<EndpointModel> endpoints, AppState state, long nowTicks, int exclude);
}
