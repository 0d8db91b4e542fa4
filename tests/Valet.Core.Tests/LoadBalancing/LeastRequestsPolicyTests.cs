using Valet.Core.LoadBalancing;

namespace Valet.Core.Tests.LoadBalancing;

public sealed class LeastRequestsPolicyTests : LoadBalancingPolicyContractTests
{
    protected override ILoadBalancingPolicy Policy => LeastRequestsPolicy.Instance;

    [Fact]
    public void Name_IsLeastRequests()
    {
        Policy.Name.Should().Be("leastRequests");
    }

    [Fact]
    public void Pick_OneEndpointBusier_PicksTheOthersInTurn()
    {
        var endpoints = Endpoints(3);
        endpoints[1].State.Enter();

        Picks(endpoints, new AppState("x"), 6).Should().Equal(0, 2, 0, 2, 0, 2);
    }

    [Fact]
    public void Pick_DifferentLoads_PicksTheFewestInFlight()
    {
        var endpoints = Endpoints(3);
        Load(endpoints[0], 3);
        Load(endpoints[1], 1);
        Load(endpoints[2], 2);

        Picks(endpoints, new AppState("x"), 4).Should().Equal(1, 1, 1, 1);
    }

    [Fact]
    public void Pick_TieBetweenTheLeastLoaded_BrokenInRotation()
    {
        var endpoints = Endpoints(4);
        Load(endpoints[0], 2);
        Load(endpoints[1], 1);
        Load(endpoints[2], 2);
        Load(endpoints[3], 1);

        Picks(endpoints, new AppState("x"), 4).Should().Equal(1, 3, 1, 3);
    }

    [Fact]
    public void Pick_PickedRequestsStayInFlight_EachEndpointGetsOneBeforeAnyGetsTwo()
    {
        // Requests that stay in flight push the next picks elsewhere, as a slow endpoint does.
        var endpoints = Endpoints(3);
        var state = new AppState("x");
        var picks = new List<int>();
        for (var i = 0; i < 6; i++)
        {
            var pick = Policy.Pick(endpoints, state, Now, -1);
            picks.Add(pick);
            endpoints[pick].State.Enter();
        }

        picks.Take(3).Should().BeEquivalentTo([0, 1, 2]);
        picks.Skip(3).Should().BeEquivalentTo([0, 1, 2]);
        endpoints[1].State.Leave();
        Policy.Pick(endpoints, state, Now, -1).Should().Be(1);
    }

    [Fact]
    public void Pick_BusiestIsTheOnlyHealthyOne_PicksIt()
    {
        var endpoints = Endpoints(2);
        Load(endpoints[0], 5);
        endpoints[1].State.MarkUnhealthy(Now + 1);

        Picks(endpoints, new AppState("x"), 2).Should().Equal(0, 0);
    }

    private static void Load(Valet.Core.Routing.EndpointModel endpoint, int inFlight)
    {
        for (var i = 0; i < inFlight; i++) endpoint.State.Enter();
    }
}
