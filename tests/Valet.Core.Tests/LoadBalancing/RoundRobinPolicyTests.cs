using Valet.Core.LoadBalancing;

namespace Valet.Core.Tests.LoadBalancing;

public sealed class RoundRobinPolicyTests : LoadBalancingPolicyContractTests
{
    protected override ILoadBalancingPolicy Policy => RoundRobinPolicy.Instance;

    [Fact]
    public void Name_IsRoundRobin()
    {
        Policy.Name.Should().Be("roundRobin");
    }

    [Fact]
    public void Default_IsRoundRobin()
    {
        LoadBalancingPolicies.Default.Should().BeSameAs(Policy);
        LoadBalancingPolicies.Resolve(null).Should().BeSameAs(Policy);
    }

    [Fact]
    public void Pick_UnequalLoad_StillCyclesInOrder()
    {
        var endpoints = Endpoints(3);
        for (var i = 0; i < 5; i++) endpoints[0].State.Enter();

        Picks(endpoints, new AppState("x"), 6).Should().Equal(0, 1, 2, 0, 1, 2);
    }
}
