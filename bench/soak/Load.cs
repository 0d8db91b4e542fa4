using System.Collections.Concurrent;
using System.Diagnostics;

namespace Valet.Bench.Soak;

/// <summary>One request of the load: when it left and ended (Stopwatch ticks), the node and app asked, and what came back.</summary>
public readonly record struct Sample(long Start, long End, int Node, string App, int Status, string? Failure, bool BodyOk);

/// <summary>
/// Steady open-loop load: requests leave on a fixed schedule (a slow answer does not slow the
/// offered rate), spread over the nodes that are up and over the apps by weight, with at most
/// <see cref="MaxInFlight"/> outstanding (a request over that bound is not sent, and counted).
/// A node marked down gets no new requests, as a front balancer with health checks would do.
/// </summary>
public sealed class Load(HttpClient client, IReadOnlyList<Node> nodes, double rate)
{
    public const int MaxInFlight = 256;

    private static readonly (string App, string Path, string Body, int Weight)[] Mix =
    [
        ("api", "/api/x", "", 6),      // forwarded to the two backends (body: their names)
        ("mock", "/mock/", "ok", 3),   // answered by Valet itself
        ("churn", "/churn/", "churn", 1), // PUT and DELETEd through the admin API while the load runs
    ];

    private readonly ConcurrentQueue<Sample> _samples = new();
    private readonly bool[] _down = new bool[nodes.Count];
    private int _inFlight;
    private long _notSent;

    public static readonly Stopwatch Clock = Stopwatch.StartNew();

    public IReadOnlyCollection<Sample> Samples => _samples;

    public long NotSent => Interlocked.Read(ref _notSent);

    public void SetDown(int node, bool down) => Volatile.Write(ref _down[node], down);

    public bool IsDown(int node) => Volatile.Read(ref _down[node]);

    public async Task RunAsync(CancellationToken stop)
    {
        var started = Clock.Elapsed;
        long sent = 0;
        var weights = Mix.Sum(m => m.Weight);
        while (!stop.IsCancellationRequested)
        {
            var due = (long)((Clock.Elapsed - started).TotalSeconds * rate);
            while (sent < due)
            {
                var slot = (int)(sent % weights);
                var mix = Mix.First(m => (slot -= m.Weight) < 0);
                var first = (int)(sent / weights % nodes.Count);
                sent++;
                var node = -1;
                for (var k = 0; k < nodes.Count && node < 0; k++)
                {
                    // Each flag read once: a node going down meanwhile cannot make a request vanish.
                    if (!Volatile.Read(ref _down[(first + k) % nodes.Count])) node = (first + k) % nodes.Count;
                }

                if (node < 0)
                {
                    Interlocked.Increment(ref _notSent);
                    continue;
                }

                if (Interlocked.Increment(ref _inFlight) > MaxInFlight)
                {
                    Interlocked.Decrement(ref _inFlight);
                    Interlocked.Increment(ref _notSent);
                    continue;
                }

                _ = SendAsync(node, mix.App, mix.Path, mix.Body);
            }

            await Task.Delay(1, CancellationToken.None);
        }

        while (Volatile.Read(ref _inFlight) > 0) await Task.Delay(5, CancellationToken.None);
    }

    private async Task SendAsync(int node, string app, string path, string expected)
    {
        var start = Clock.ElapsedTicks;
        int status = 0;
        string? failure = null;
        var bodyOk = false;
        try
        {
            using var response = await client.GetAsync(new Uri(nodes[node].Address, path));
            status = (int)response.StatusCode;
            var body = await response.Content.ReadAsStringAsync();
            bodyOk = status != 200 || (expected.Length == 0 ? body is "b1" or "b2" : body == expected);
        }
        catch (Exception e)
        {
            failure = Describe(e);
        }

        // Recorded before it stops counting as in flight, so RunAsync's end sees every sample.
        _samples.Enqueue(new Sample(start, Clock.ElapsedTicks, node, app, status, failure, bodyOk));
        Interlocked.Decrement(ref _inFlight);
    }

    /// <summary>A failure's kind, e.g. "connection refused", "response ended early", "timeout".</summary>
    private static string Describe(Exception e) => e switch
    {
        TaskCanceledException => "timeout",
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } => "connection refused or reset",
        HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded } => "response ended early",
        HttpRequestException h => $"http error ({h.HttpRequestError})",
        IOException => "connection reset while reading",
        _ => e.GetType().Name,
    };
}
