// Aggregate overhead benchmark (issue 7, requirement 5): three backends that each take 20 ms,
// one aggregate over them, Valet in-process on loopback. An aggregate calls its parts at once, so
// its latency should be one backend's latency plus a little: the target is p50 <= 25 ms.
//
//   dotnet run -c Release --project bench/aggregate [-- --requests 500 --concurrency 16]
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Valet.Core.Configuration;
using Valet.Daemon.Hosting;

var requests = Arg("--requests", 500);
var concurrency = Arg("--concurrency", 16);
var delay = TimeSpan.FromMilliseconds(Arg("--delay-ms", 20));

var backends = new List<WebApplication>();
for (var i = 0; i < 3; i++) backends.Add(await StartBackendAsync($"part{i}", delay));
var ports = backends.Select(b => new Uri(b.Urls.First()).Port).ToArray();

var conf = Directory.CreateTempSubdirectory("valet-bench-");
for (var i = 0; i < 3; i++)
{
    File.WriteAllText(Path.Combine(conf.FullName, $"svc{i}.json"), JsonSerializer.Serialize(new
    {
        name = $"svc{i}",
        endpoints = new[] { new { host = "127.0.0.1", port = ports[i] } },
    }));
}

File.WriteAllText(Path.Combine(conf.FullName, "dash.json"), JsonSerializer.Serialize(new
{
    name = "dash",
    aggregate = new { parts = Enumerable.Range(0, 3).Select(i => new { key = $"p{i}", app = $"svc{i}", path = "/" }).ToArray() },
}));

// No access log: the figures measure the fan-out (bench/observability.sh measures the log).
var gateway = GatewayHost.Build(new ValetOptions { ConfDirectory = conf.FullName, Port = 0, AdminPort = 0, Bind = IPAddress.Loopback, AccessLog = Valet.Core.Diagnostics.AccessLog.AccessLogFormat.Off },
    logging: l => l.SetMinimumLevel(LogLevel.Warning));
var load = gateway.Services.GetRequiredService<ConfigManager>().LoadInitial();
if (!load.Succeeded) throw new InvalidOperationException(string.Join("\n", load.AllErrors));
await gateway.StartAsync();
var address = new Uri(GatewayHost.Addresses(gateway).First());
using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = 1024 }) { BaseAddress = address };

Console.WriteLine($"Valet aggregate benchmark: 3 parts, each backend answers after {delay.TotalMilliseconds} ms; " +
                  $"{requests} requests per run; {Environment.ProcessorCount} CPUs; .NET {Environment.Version}");
await RunAsync("warm-up (not counted)", "/dash/", 100, 4, print: false);
await RunAsync("direct, one 20 ms endpoint, sequential", "/svc0/", requests, 1);
await RunAsync("aggregate of 3, sequential", "/dash/", requests, 1);
await RunAsync($"aggregate of 3, {concurrency} concurrent clients", "/dash/", requests, concurrency);

await gateway.StopAsync();
foreach (var backend in backends) await backend.StopAsync();
conf.Delete(recursive: true);
return;

async Task RunAsync(string label, string path, int count, int clients, bool print = true)
{
    var latencies = new double[count];
    var next = -1;
    var failures = 0;
    var wall = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < count)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await client.GetAsync(path);
            await response.Content.ReadAsByteArrayAsync();
            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (!response.IsSuccessStatusCode) Interlocked.Increment(ref failures);
        }
    }));
    wall.Stop();
    if (!print) return;
    Array.Sort(latencies);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{label,-46} p50 {Percentile(latencies, 50),6:F2} ms  p90 {Percentile(latencies, 90),6:F2} ms  p99 {Percentile(latencies, 99),6:F2} ms  " +
        $"max {latencies[^1],6:F2} ms  {count / wall.Elapsed.TotalSeconds,7:F0} req/s  failures {failures}"));
}

static double Percentile(double[] sorted, int p) => sorted[Math.Clamp((int)Math.Ceiling(p / 100.0 * sorted.Length) - 1, 0, sorted.Length - 1)];

static async Task<WebApplication> StartBackendAsync(string name, TimeSpan delay)
{
    var builder = WebApplication.CreateSlimBuilder();
    builder.Logging.ClearProviders();
    builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
    var app = builder.Build();
    var body = $$"""{"part":"{{name}}","items":[1,2,3]}""";
    app.Run(async context =>
    {
        await Task.Delay(delay);
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body);
    });
    await app.StartAsync();
    return app;
}

int Arg(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
}
