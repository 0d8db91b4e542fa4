using BenchmarkDotNet.Attributes;
using Valet.Core.Configuration;
using Valet.Core.LoadBalancing;
using Valet.Core.Routing;

namespace Valet.Benchmarks;

/// <summary>Round-robin choice among three endpoints: all healthy, and one cooling down after a failure.</summary>
[MemoryDiagnoser]
[Config(typeof(BenchConfig))]
public class EndpointPickBenchmarks
{
    private AppState _state = null!;
    private EndpointModel[] _endpoints = null!;
    private EndpointModel[] _oneUnhealthy = null!;
    private long _now;

    [GlobalSetup]
    public void Setup()
    {
        _state = new AppState("app");
        _endpoints = Create(_state, "a");
        _oneUnhealthy = Create(_state, "b");
        _now = DateTime.UtcNow.Ticks;
        _oneUnhealthy[1].State.MarkUnhealthy(DateTime.MaxValue.Ticks);
    }

    [GlobalCleanup]
    public void Cleanup() => _state.Invoker.Dispose();

    [Benchmark(Baseline = true)]
    public int PickThreeHealthy() => RoundRobinPolicy.Instance.Pick(_endpoints, _state, _now, -1);

    [Benchmark]
    public int PickThreeOneUnhealthy() => RoundRobinPolicy.Instance.Pick(_oneUnhealthy, _state, _now, -1);

    private static EndpointModel[] Create(AppState state, string prefix)
    {
        var endpoints = new EndpointModel[3];
        for (var i = 0; i < endpoints.Length; i++)
        {
            var config = new EndpointConfig { Host = $"{prefix}{i}.backend.internal", Port = 8080 };
            endpoints[i] = new EndpointModel(config, state.Endpoint(config.Key));
        }

        return endpoints;
    }
}
