using BenchmarkDotNet.Attributes;
using Valet.Core.Configuration;
using Valet.Core.LoadBalancing;
using Valet.Core.Routing;

namespace Valet.Benchmarks;

/// <summary>Splitting the request target and finding its app among 50, by span, without copying.</summary>
[MemoryDiagnoser]
[Config(typeof(BenchConfig))]
public class RouteLookupBenchmarks
{
    private const int AppCount = 50;

    private RouteTable _table = null!;
    private readonly List<AppState> _states = [];

    [Params("/app37/v1/users/42?expand=orders", "/app37")]
    public string Target { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var apps = new List<AppModel>();
        for (var i = 0; i < AppCount; i++)
        {
            var config = new AppConfig
            {
                Name = $"app{i}",
                Endpoints = [new EndpointConfig { Host = "127.0.0.1", Port = 9000 + i }],
            };
            var state = new AppState(config.Name);
            _states.Add(state);
            apps.Add(new AppModel(config, $"/etc/valet/conf/{config.Name}.json", "rev1", state));
        }

        _table = new RouteTable(apps);
        if (Lookup() is null) throw new InvalidOperationException("the target must find its app");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var state in _states) state.Invoker.Dispose();
    }

    [Benchmark]
    public AppModel? ParseAndLookup() => Lookup();

    private AppModel? Lookup()
    {
        if (RequestTarget.Parse(Target, out var target) != TargetKind.App) return null;
        return _table.TryGetApp(target.AppSegment, out var app) ? app : null;
    }
}
