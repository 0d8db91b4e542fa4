using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;

namespace Valet.Benchmarks;

/// <summary>
/// The one job every benchmark class uses: one process, a short warm-up and ten measured
/// iterations, so the whole suite stays within a few minutes on a two-core machine.
/// Allocated bytes come from <see cref="MemoryDiagnoser"/>, declared on each class; the default
/// exporters write GitHub markdown tables to BenchmarkDotNet.Artifacts/results.
/// </summary>
public sealed class BenchConfig : ManualConfig
{
    public BenchConfig()
    {
        AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(10).WithId("Short"));

        // The build machine is shared: the median and minimum show the cost without others' noise.
        AddColumn(StatisticColumn.Median, StatisticColumn.Min);
    }
}
