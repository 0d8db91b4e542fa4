using BenchmarkDotNet.Running;

// Runs the benchmarks chosen with --filter (e.g. --filter '*' or --filter '*RateLimit*').
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
