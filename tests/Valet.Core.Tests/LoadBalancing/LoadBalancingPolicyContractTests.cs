using Valet.Core.Configuration;
using Valet.Core.LoadBalancing;
using Valet.Core.Routing;

namespace Valet.Core.Tests.LoadBalancing;

/// <summary>
/// What every <see cref="ILoadBalancingPolicy"/> guarantees, whatever its strategy: it is found by
/// its name, never picks an unhealthy or excluded endpoint, says -1 when none can be used, and
/// with equal load uses every endpoint in turn. Each policy's test class derives from this one.
/// </summary>
public abstract class LoadBalancingPolicyContractTests
{
    protected const long Now = 1_000_000;

    protected abstract ILoadBalancingPolicy Policy { get; }

    protected static EndpointModel[] Endpoints(int count) =>
        Enumerable.Range(0, count)
            .Select(i => new EndpointModel(new EndpointConfig { Host = $"e{i}.example", Port = 8080 }, new EndpointState()))
            .ToArray();

    protected int[] Picks(EndpointModel[] endpoints, AppState state, int count, int exclude = -1, long now = Now) =>
        Enumerable.Range(0, count).Select(_ => Policy.Pick(endpoints, state, now, exclude)).ToArray();

    [Fact]
    public void Name_ResolvesToThePolicy()
    {
        LoadBalancingPolicies.ByName.Should().ContainKey(Policy.Name).WhoseValue.Should().BeSameAs(Policy);
        LoadBalancingPolicies.Resolve(Policy.Name).Should().BeSameAs(Policy);
    }

    [Fact]
    public void Pick_NoEndpoints_ReturnsMinusOne()
    {
        Policy.Pick([], new AppState("x"), Now, -1).Should().Be(-1);
    }

    [Fact]
    public void Pick_OneEndpoint_AlwaysPicksIt()
    {
        Picks(Endpoints(1), new AppState("x"), 3).Should().Equal(0, 0, 0);
    }

    [Fact]
    public void Pick_EqualLoad_UsesEveryEndpointInTurn()
    {
        Picks(Endpoints(3), new AppState("x"), 7).Should().Equal(0, 1, 2, 0, 1, 2, 0);
    }

    [Fact]
    public void Pick_ConcurrentPicksWithEqualLoad_EachEndpointPickedEqually()
    {
        var endpoints = Endpoints(3);
        var state = new AppState("x");
        var counts = new int[3];

        Parallel.For(0, 300, _ => Interlocked.Increment(ref counts[Policy.Pick(endpoints, state, Now, -1)]));

        counts.Should().Equal(100, 100, 100);
    }

    [Fact]
    public void Pick_UnhealthyEndpoint_IsSkipped()
    {
        var endpoints = Endpoints(3);
        endpoints[1].State.MarkUnhealthy(Now + 1);

        var picks = Picks(endpoints, new AppState("x"), 30);

        picks.Should().OnlyContain(i => i == 0 || i == 2);
        picks.Should().Contain(0).And.Contain(2);
    }

    [Fact]
    public void Pick_UnhealthyEndpointWithLeastLoad_IsStillSkipped()
    {
        var endpoints = Endpoints(2);
        endpoints[0].State.Enter();
        endpoints[1].State.MarkUnhealthy(Now + 1);

        Picks(endpoints, new AppState("x"), 4).Should().Equal(0, 0, 0, 0);
    }

    [Fact]
    public void Pick_CoolDownOver_EndpointPickedAgain()
    {
        var endpoints = Endpoints(2);
        endpoints[0].State.MarkUnhealthy(Now);
        endpoints[1].State.MarkUnhealthy(Now + 10);

        Picks(endpoints, new AppState("x"), 2).Should().Equal(0, 0);
        Picks(endpoints, new AppState("x"), 2, now: Now + 10).Should().Equal(0, 1);
    }

    [Fact]
    public void Pick_MarkedHealthyAgain_EndpointPickedAgain()
    {
        var endpoints = Endpoints(2);
        endpoints[1].State.MarkUnhealthy(long.MaxValue);
        endpoints[1].State.MarkHealthy();

        Picks(endpoints, new AppState("x"), 2).Should().Equal(0, 1);
    }

    [Fact]
    public void Pick_Exclude_IsNeverPicked()
    {
        var picks = Picks(Endpoints(3), new AppState("x"), 30, exclude: 0);

        picks.Should().OnlyContain(i => i == 1 || i == 2);
        picks.Should().Contain(1).And.Contain(2);
    }

    [Fact]
    public void Pick_ExcludedIsTheOnlyHealthyEndpoint_ReturnsMinusOne()
    {
        var endpoints = Endpoints(2);
        endpoints[1].State.MarkUnhealthy(Now + 1);

        Picks(endpoints, new AppState("x"), 4, exclude: 0).Should().Equal(-1, -1, -1, -1);
    }

    [Fact]
    public void Pick_AllUnhealthy_ReturnsMinusOne()
    {
        var endpoints = Endpoints(3);
        foreach (var endpoint in endpoints) endpoint.State.MarkUnhealthy(Now + 1);

        Picks(endpoints, new AppState("x"), 6).Should().Equal(-1, -1, -1, -1, -1, -1);
    }

    [Fact]
    public void Pick_StateSharedAcrossEndpointLists_ContinuesTheRotation()
    {
        // A reload builds new EndpointModels, but the app's cursor lives in AppState and carries on.
        var state = new AppState("x");
        Policy.Pick(Endpoints(3), state, Now, -1).Should().Be(0);

        Policy.Pick(Endpoints(3), state, Now, -1).Should().Be(1);
    }
}
