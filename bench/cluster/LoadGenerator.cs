using System.Collections.Concurrent;
using System.Diagnostics;

namespace Valet.Bench.Cluster;

/// <summary>One answer: when it arrived (unix ms), its status (0 = connection failed), the node asked and how long it took.</summary>
public readonly record struct Sample(long ReceivedMs, int Status, int Node, double LatencyMs = 0);

/// <summary>
/// Open-loop load: requests leave on a fixed schedule whatever the answers take (a slow node does
/// not slow the offered load), split between the two nodes by a fixed ratio.
/// </summary>
public static class LoadGenerator
{
    public static async Task<List<Sample>> RunAsync(HttpClient client, Pair pair, string app, double rate, double shareOfA, TimeSpan duration,
        Func<TimeSpan, Task>? during = null)
    {
        var samples = new ConcurrentBag<Sample>();
        var inflight = new List<Task>();
        var clock = Stopwatch.StartNew();
        var action = during?.Invoke(duration) ?? Task.CompletedTask;
        long sent = 0;
        while (clock.Elapsed < duration)
        {
            var due = (long)(clock.Elapsed.TotalSeconds * rate);
            while (sent < due)
            {
                var node = (sent % 100) < shareOfA * 100 ? 0 : 1;
                sent++;
                inflight.Add(SendAsync(client, pair[node], app, node, samples));
            }

            await Task.Delay(1);
        }

        await Task.WhenAll(inflight);
        await action;
        return samples.ToList();
    }

    private static async Task SendAsync(HttpClient client, ValetProcess node, string app, int index, ConcurrentBag<Sample> samples)
    {
        int status;
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await client.GetAsync(new Uri(node.Address, $"/{app}/x"));
            status = (int)response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            status = 0;
        }

        samples.Add(new Sample(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), status, index, Stopwatch.GetElapsedTime(started).TotalMilliseconds));
    }

    /// <summary>Admitted answers per window (by arrival time: at 5x the limit is spent early in each window).</summary>
    public static SortedDictionary<long, int> AdmittedPerWindow(IEnumerable<Sample> samples, int periodSeconds)
    {
        var perWindow = new SortedDictionary<long, int>();
        foreach (var s in samples)
        {
            var window = s.ReceivedMs / (periodSeconds * 1000L);
            perWindow.TryAdd(window, 0);
            if (s.Status == 200) perWindow[window]++;
        }

        // The first and last windows were only partly loaded.
        if (perWindow.Count > 2)
        {
            perWindow.Remove(perWindow.Keys.First());
            perWindow.Remove(perWindow.Keys.Last());
        }

        return perWindow;
    }
}
