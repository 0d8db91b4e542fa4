using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Valet.Bench.Soak;

// bench/soak: a Valet pair and two backends on loopback under steady load, with reloads, admin
// PUT/DELETE, a backend SIGKILLed and restarted and a peer SIGKILLed and restarted on a schedule.
// Prints the figures, saves them under bench/results/ and writes the soak section of docs/reliability.md.
//   Valet.Bench.Soak <valet.dll> <minutes> <requests per second> <results folder> <doc>
//   Valet.Bench.Soak backend <port> <name>            (the backend process)
if (args is ["backend", var backendPort, var backendName])
{
    await Backend.RunAsync(int.Parse(backendPort, CultureInfo.InvariantCulture), backendName);
    return 0;
}

var dll = Path.GetFullPath(args[0]);
var minutes = double.Parse(args[1], CultureInfo.InvariantCulture);
var rate = double.Parse(args[2], CultureInfo.InvariantCulture);
var resultsFolder = args[3];
var docPath = args[4];
var duration = TimeSpan.FromMinutes(minutes);
// Warm-up: JIT tiering, pools and GC heaps settle; then memory must hold still. 30 s, or 15% of a long run (at most 60 s).
var warmUp = TimeSpan.FromSeconds(Math.Min(60, Math.Max(30, duration.TotalSeconds * 0.15)));
var self = typeof(Backend).Assembly.Location;
void Log(string line) => Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss} {line}");
double Seconds(long ticks) => ticks / (double)Stopwatch.Frequency;

// --- setup -------------------------------------------------------------------------------------
var work = Directory.CreateTempSubdirectory("valet-soak-").FullName;
var tokenFile = Path.Combine(work, "peer-token");
await File.WriteAllTextAsync(tokenFile, Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)) + "\n");
int[] backendPorts = [Node.FreePort(), Node.FreePort()];
var backends = new[] { "b1", "b2" }.Select((name, i) => new ChildProcess(name, self, ["backend", backendPorts[i].ToString(CultureInfo.InvariantCulture), name])).ToArray();

string ApiApp(int revision) => JsonSerializer.Serialize(new
{
    name = "api", description = $"revision {revision}", rateLimit = true, limitValue = 1_000_000_000, limitPeriod = 3600,
    endpoints = backendPorts.Select(p => new { host = "127.0.0.1", port = p }).ToArray(),
});
const string MockApp = """{ "name": "mock", "rateLimit": true, "limitValue": 1000000000, "limitPeriod": 3600, "mocks": [ { "path": "/*", "body": "ok" } ] }""";
const string ChurnApp = """{ "name": "churn", "mocks": [ { "path": "/*", "body": "churn" } ] }""";

int[] peerPorts = [Node.FreePort(), Node.FreePort()];
var nodes = new[] { "soak-a", "soak-b" }.Select((id, i) =>
{
    var conf = Path.Combine(work, id);
    Directory.CreateDirectory(conf);
    File.WriteAllText(Path.Combine(conf, "api.json"), ApiApp(0));
    File.WriteAllText(Path.Combine(conf, "mock.json"), MockApp);
    File.WriteAllText(Path.Combine(conf, "churn.json"), ChurnApp);
    return new Node(dll, id, conf, tokenFile, peerPorts[i], peerPorts[1 - i]);
}).ToArray();

using var http = new HttpClient(new SocketsHttpHandler
{
    UseProxy = false,
    MaxConnectionsPerServer = 128,
    PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
    ConnectTimeout = TimeSpan.FromSeconds(5),
})
{ Timeout = TimeSpan.FromSeconds(10) };

var exit = 1;
try
{
    foreach (var backend in backends) backend.Start();
    await Task.WhenAll(backendPorts.Select(WaitPortAsync));
    foreach (var node in nodes) node.Start();
    await Task.WhenAll(nodes.Select(n => n.WaitReadyAsync()));
    var until = DateTime.UtcNow.AddSeconds(30);
    while (!(await nodes[0].PeerUpAsync() && await nodes[1].PeerUpAsync()))
    {
        if (DateTime.UtcNow > until) throw new TimeoutException("the peers did not connect");
        await Task.Delay(20);
    }

    Log($"pair up: {nodes[0].Address} and {nodes[1].Address}; {duration.TotalMinutes} min at {rate} requests/s");

    // --- the run -------------------------------------------------------------------------------
    var load = new Load(http, nodes, rate);
    using var stopLoad = new CancellationTokenSource();
    var loadTask = Task.Run(() => load.RunAsync(stopLoad.Token));
    var t0 = Load.Clock.Elapsed;
    TimeSpan Now() => Load.Clock.Elapsed - t0;

    var events = new System.Collections.Concurrent.ConcurrentQueue<(TimeSpan At, string What)>();
    var memory = new List<(string When, long[] RssKb, (int Sockets, int Others)[] Fds)>();
    var churnTimeline = nodes.Select(_ => new List<(long Ticks, bool Present)> { (0, true) }).ToArray();
    (long Start, long End) backendKill = (long.MaxValue, long.MaxValue);
    (long Start, long End) nodeKill = (long.MaxValue, long.MaxValue);
    var adminFailures = new List<string>();
    int reloadsSent = 0, adminChanges = 0, apiRevision = 0;
    double nodeDownMs = 0, backendDownMs = 0;

    void Sample(string when)
    {
        memory.Add((when, nodes.Select(n => n.Process.RssKb()).ToArray(), nodes.Select(n => n.Process.OpenFds()).ToArray()));
        Log($"memory {when}: " + string.Join(", ", nodes.Select((n, i) => $"{n.Id} {memory[^1].RssKb[i] / 1024.0:0.0} MiB, {memory[^1].Fds[i].Sockets} sockets + {memory[^1].Fds[i].Others} other fds")));
    }

    async Task Expect(Task<HttpResponseMessage> call, string what, params HttpStatusCode[] ok)
    {
        try
        {
            using var response = await call;
            if (!ok.Contains(response.StatusCode)) adminFailures.Add($"{what}: {(int)response.StatusCode}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            adminFailures.Add($"{what}: {e.GetType().Name}");
        }
    }

    bool NodeUp(int i) => !load.IsDown(i);
    var faults = new List<Task>();

    // The schedule: (time, action), run in order.
    var actions = new List<(TimeSpan At, Func<Task> Run)>();
    const int Reloads = 130;
    var reloadSpan = duration - warmUp / 2 - TimeSpan.FromSeconds(3);
    for (var k = 0; k < Reloads; k++)
    {
        var kind = k % 3;
        var node = k / 3 % 2;
        actions.Add((warmUp / 2 + reloadSpan * k / Reloads, async () =>
        {
            if (!NodeUp(node)) return;
            reloadsSent++;
            switch (kind)
            {
                case 0:
                    await Expect(nodes[node].Admin.PostAsync("/reload", null), $"POST /reload on {nodes[node].Id}", HttpStatusCode.OK);
                    break;
                case 1:
                    nodes[node].Process.Signal(1); // SIGHUP
                    break;
                default:
                    var body = ApiApp(++apiRevision);
                    foreach (var (n, i) in nodes.Select((n, i) => (n, i)).Where(t => NodeUp(t.i)))
                    {
                        await Expect(n.Admin.PutAsync("/apis/api", new StringContent(body, Encoding.UTF8, "application/json")), $"PUT /apis/api on {n.Id}", HttpStatusCode.OK);
                    }

                    break;
            }
        }));
    }

    const int ChurnChanges = 24;
    for (var k = 1; k <= ChurnChanges; k++)
    {
        var create = k % 2 == 0;
        actions.Add((duration * k / (ChurnChanges + 1), async () =>
        {
            for (var i = 0; i < nodes.Length; i++)
            {
                if (!NodeUp(i)) continue;
                adminChanges++;
                if (create) await Expect(nodes[i].Admin.PutAsync("/apis/churn", new StringContent(ChurnApp, Encoding.UTF8, "application/json")), $"PUT /apis/churn on {nodes[i].Id}", HttpStatusCode.Created, HttpStatusCode.OK);
                else await Expect(nodes[i].Admin.DeleteAsync("/apis/churn"), $"DELETE /apis/churn on {nodes[i].Id}", HttpStatusCode.NoContent);
                lock (churnTimeline[i]) churnTimeline[i].Add((Load.Clock.ElapsedTicks, create));
            }
        }));
    }

    actions.Add((warmUp, () => { Sample("start (after warm-up)"); return Task.CompletedTask; }));
    actions.Add((duration / 2, () => { Sample("middle"); return Task.CompletedTask; }));
    // The faults run beside the schedule, so reloads and admin changes go on meanwhile.
    actions.Add((duration * 0.35, () => { faults.Add(Task.Run(async () =>
    {
        events.Enqueue((Now(), "backend b2 SIGKILLed"));
        var start = Load.Clock.ElapsedTicks;
        backends[1].Kill();
        backendKill = (start, Load.Clock.ElapsedTicks);
        await Task.Delay(TimeSpan.FromSeconds(Math.Min(5, duration.TotalSeconds * 0.04)));
        backends[1].Start();
        await WaitPortAsync(backendPorts[1]);
        backendDownMs = Seconds(Load.Clock.ElapsedTicks - start) * 1000;
        events.Enqueue((Now(), $"backend b2 restarted, listening after {backendDownMs:0} ms"));
    })); return Task.CompletedTask; }));
    actions.Add((duration * 0.6, () => { faults.Add(Task.Run(async () =>
    {
        events.Enqueue((Now(), "node soak-b SIGKILLed"));
        load.SetDown(1, true);
        var start = Load.Clock.ElapsedTicks;
        nodes[1].Kill();
        nodeKill = (start, Load.Clock.ElapsedTicks);
        nodes[1].Start();
        await nodes[1].WaitReadyAsync();
        nodeDownMs = Seconds(Load.Clock.ElapsedTicks - start) * 1000;
        load.SetDown(1, false);
        events.Enqueue((Now(), $"node soak-b restarted, ready after {nodeDownMs:0} ms"));
    })); return Task.CompletedTask; }));

    foreach (var (at, run) in actions.OrderBy(a => a.At))
    {
        var wait = at - Now();
        if (wait > TimeSpan.Zero) await Task.Delay(wait);
        await run();
    }

    var rest = duration - Now();
    if (rest > TimeSpan.Zero) await Task.Delay(rest);
    await Task.WhenAll(faults);
    Sample("end");
    stopLoad.Cancel();
    await loadTask;
    Log("load stopped");

    // --- the cluster's counts, once the last increments have travelled ---------------------------
    var counters = new List<(string App, long A, long B, bool Equal)>();
    foreach (var app in new[] { "api", "mock" })
    {
        (long Window, long Used)? a = null, b = null;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        do
        {
            a = await nodes[0].UsageAsync(app);
            b = await nodes[1].UsageAsync(app);
            if (a == b) break;
            await Task.Delay(50);
        }
        while (DateTime.UtcNow < deadline);
        counters.Add((app, a?.Used ?? -1, b?.Used ?? -1, a is not null && a == b));
    }

    // --- classification ---------------------------------------------------------------------------
    var slack = Stopwatch.Frequency / 20; // 50 ms
    bool InFlight(Sample s, (long Start, long End) window) => window.Start != long.MaxValue && s.Start <= window.End + slack && s.End >= window.Start;
    bool ChurnAbsentAround(Sample s)
    {
        var timeline = churnTimeline[s.Node];
        lock (timeline)
        {
            bool StateAt(long t) => timeline.Last(e => e.Ticks <= t).Present;
            return !StateAt(s.Start) || !StateAt(s.End + slack) || timeline.Any(e => e.Ticks >= s.Start - slack && e.Ticks <= s.End + slack);
        }
    }

    string Kind(Sample s) => s.Failure ?? (s.Status == 200 && !s.BodyOk ? "200 with a wrong body" : s.Status.ToString(CultureInfo.InvariantCulture));
    string? Why(Sample s)
    {
        if (s.App == "churn" && s.Status == 404 && ChurnAbsentAround(s)) return "the churn app was deleted (admin DELETE)";
        if (s.App == "api" && (s.Status is 502 or 504 || s.Failure is not null) && InFlight(s, backendKill)) return "in flight to the killed backend";
        if (s.Failure is not null && s.Node == 1 && InFlight(s, nodeKill)) return "in flight to the killed node";
        return null;
    }

    var samples = load.Samples.ToList();
    var failed = samples.Where(s => !(s.Status == 200 && s.BodyOk)).ToList();
    var byKind = failed.GroupBy(s => (s.App, Kind: Kind(s), Why: Why(s))).OrderByDescending(g => g.Count()).ToList();
    var unexpected = failed.Count(s => Why(s) is null);
    var expected = failed.Count - unexpected;
    var latencies = samples.Where(s => s.Status == 200).Select(s => Seconds(s.End - s.Start) * 1000).Order().ToArray();
    double Pct(double q) => latencies.Length == 0 ? 0 : latencies[Math.Clamp((int)Math.Ceiling(q * latencies.Length) - 1, 0, latencies.Length - 1)];
    var reloadsLogged = nodes.Sum(n => n.Process.ReloadsLogged);
    var rssStart = memory[0].RssKb[0];
    var rssEnd = memory[^1].RssKb[0];
    var growth = (rssEnd - rssStart) * 100.0 / rssStart;
    var lateGrowth = (rssEnd - memory[1].RssKb[0]) * 100.0 / memory[1].RssKb[0];
    // A leak of files or pipes shows in the other fds; sockets follow the connections the load keeps open.
    var otherFdGrowth = memory[^1].Fds[0].Others - memory[0].Fds[0].Others;
    var lateSocketGrowth = memory[^1].Fds[0].Sockets - memory[1].Fds[0].Sockets;
    var counted = samples.Count(s => s.App is "api" or "mock" && s.Status is not 0 and not 429);

    // --- report -------------------------------------------------------------------------------------
    var rows = new List<(string Measure, string Value, string Target, bool? Met)>
    {
        ("duration, offered load", $"{duration.TotalMinutes:0.##} min at {rate:0} requests/s over 2 nodes (bounded at {Load.MaxInFlight} in flight; {load.NotSent} not sent at the bound)", "", null),
        ("requests answered", $"{samples.Count:N0} ({samples.Count(s => s.Status == 200 && s.BodyOk):N0} x 200 with the right body); latency p50 {Pct(0.5):0.0} ms, p99 {Pct(0.99):0.0} ms", "", null),
        ("unexpected errors", unexpected.ToString(CultureInfo.InvariantCulture), "0", unexpected == 0),
        ("expected errors", $"{expected} (requests in flight to a killed process, and to the churn app while deleted)", "", null),
        ("reloads", $"{reloadsLogged} logged by the daemons: {reloadsSent} reload actions (POST /reload, SIGHUP, a PUT of a changed app to both nodes) and the {adminChanges} PUT/DELETEs below", ">= 100", reloadsLogged >= 100),
        ("admin PUT/DELETE of an app under load", $"{adminChanges} on the two nodes, {adminFailures.Count} failed{(adminFailures.Count > 0 ? ": " + string.Join("; ", adminFailures.Take(5)) : "")}", "0 failed", adminFailures.Count == 0),
        ("backend SIGKILLed and restarted", $"b2 at {duration.TotalSeconds * 0.35:0} s, back after {backendDownMs:0} ms", "", null),
        ("peer SIGKILLed and restarted", $"soak-b at {duration.TotalSeconds * 0.6:0} s, ready again after {nodeDownMs:0} ms", "", null),
        ("memory of soak-a (RSS)", string.Join(" / ", memory.Select(m => $"{m.RssKb[0] / 1024.0:0.0} MiB")) + $" (start after {warmUp.TotalSeconds:0} s of warm-up / middle / end), growth {growth:+0.0;-0.0}% (middle to end {lateGrowth:+0.0;-0.0}%)", "growth <= 10% after warm-up", growth <= 10),
        ("memory of soak-b (RSS)", string.Join(" / ", memory.Select(m => $"{m.RssKb[1] / 1024.0:0.0} MiB")) + " (restarted between middle and end)", "", null),
        ("open fds of soak-a: sockets + others", string.Join(" / ", memory.Select(m => $"{m.Fds[0].Sockets} + {m.Fds[0].Others}")) + " (start / middle / end)",
            "others +5 at most; sockets not climbing from middle to end (+20 at most)", otherFdGrowth <= 5 && lateSocketGrowth <= 20),
        ("open fds of soak-b: sockets + others", string.Join(" / ", memory.Select(m => $"{m.Fds[1].Sockets} + {m.Fds[1].Others}")), "", null),
    };
    foreach (var (app, a, b, equal) in counters)
    {
        rows.Add(($"cluster counter of '{app}' at the end (GET /apis usage)", $"soak-a {a}, soak-b {b}", "equal", equal));
    }

    rows.Add(("admitted requests the load saw answered ('api' + 'mock')", $"{counted} (the counters also hold requests admitted but cut by a kill, and any from before the current window)", "", null));

    var table = new StringBuilder();
    table.AppendLine($"Run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores, .NET {Environment.Version}, `bench/soak.sh --minutes {minutes.ToString(CultureInfo.InvariantCulture)} --rate {rate.ToString(CultureInfo.InvariantCulture)}`.");
    table.AppendLine();
    table.AppendLine("| measure | value | target | met |");
    table.AppendLine("|---|---|---|---|");
    foreach (var (measure, value, target, met) in rows) table.AppendLine($"| {measure} | {value} | {target} | {(met is null ? "" : met.Value ? "yes" : "NO")} |");
    table.AppendLine();
    table.AppendLine("Answers other than a 200 with the right body, by kind:");
    table.AppendLine();
    table.AppendLine("| app | answer | count | expected because |");
    table.AppendLine("|---|---|---|---|");
    foreach (var group in byKind) table.AppendLine($"| {group.Key.App} | {group.Key.Kind} | {group.Count()} | {group.Key.Why ?? "**not expected**"} |");
    if (byKind.Count == 0) table.AppendLine("| | none | 0 | |");
    table.AppendLine();
    table.AppendLine("Timeline: " + string.Join("; ", events.OrderBy(e => e.At).Select(e => $"{e.At.TotalSeconds:0.0} s {e.What}")) + ".");

    Console.WriteLine();
    Console.WriteLine(table);
    Directory.CreateDirectory(resultsFolder);
    var resultFile = Path.Combine(resultsFolder, $"soak-{DateTime.UtcNow:yyyyMMdd-HHmm}.md");
    await File.WriteAllTextAsync(resultFile, "# bench/soak: a Valet pair under load and faults\n\n" + table);
    Console.WriteLine("saved " + resultFile);
    if (docPath != "-") Doc.WriteSection(docPath, "soak", table.ToString());

    var allMet = rows.All(r => r.Met != false);
    Console.WriteLine(allMet ? "soak: every target met" : "soak: a target was NOT met");
    exit = allMet ? 0 : 1;
}
finally
{
    foreach (var node in nodes) await node.DisposeAsync();
    foreach (var backend in backends) await backend.DisposeAsync();
    try { Directory.Delete(work, recursive: true); } catch (IOException) { }
}

return exit;

static async Task WaitPortAsync(int port)
{
    var until = DateTime.UtcNow.AddSeconds(30);
    while (true)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port);
            return;
        }
        catch (SocketException) when (DateTime.UtcNow < until)
        {
            await Task.Delay(20);
        }
    }
}
