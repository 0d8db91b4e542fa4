using System.Net;
using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Admin;

/// <summary>
/// Nothing lost on disk: the real daemon is SIGKILLed at random points while two apps are being
/// rewritten through admin PUTs, several times over. After each kill every app file is whole: the
/// last version whose PUT was answered (old) or the one in flight (new), never a mix or a part;
/// no other app file appears; and the daemon starts again cleanly on what is left.
/// </summary>
[Trait("Category", "Reliability")]
public sealed class CrashDuringPutTests
{
    private const int Rounds = 4;
    private static readonly string[] AppNames = ["alpha", "beta"];

    /// <summary>Version <paramref name="n"/> of an app: its own mock text, and enough bytes that writing it takes a moment.</summary>
    private static string Version(string app, int n, Random random) =>
        JsonAnswers.MockApp(app, $"{app} v{n}", description: new string((char)('a' + n % 26), random.Next(20_000, 200_000)));

    /// <summary>One app's history: the versions sent in order, and the last one whose PUT was answered.</summary>
    private sealed class History(string initial)
    {
        public List<string> Sent { get; } = [initial];

        public int Acknowledged { get; set; }
    }

    [Fact]
    public async Task Put_DaemonKilledAtRandomPoints_EachFileOldOrNew_AndTheDaemonStartsCleanly()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        using var conf = new TempFolder();
        var histories = AppNames.ToDictionary(a => a, a => new History(Version(a, 0, random)));
        foreach (var (app, history) in histories) conf.Write(app + ".json", history.Sent[0]);

        for (var round = 0; round < Rounds; round++)
        {
            await using var daemon = DaemonProcess.Start("--conf", conf.Path, "--port", "0", "--bind", "127.0.0.1");
            using var admin = new HttpClient { BaseAddress = await daemon.AdminListeningAsync() };
            var answered = 0;
            var killAfter = random.Next(1, 8);
            using var stop = new CancellationTokenSource();
            var writers = histories.Select(kv => Task.Run(async () =>
            {
                var (app, history) = (kv.Key, kv.Value);
                var writerRandom = new Random(seed + round * 7 + app.Length);
                while (!stop.IsCancellationRequested)
                {
                    var body = Version(app, history.Sent.Count + round * 1000, writerRandom);
                    lock (history) history.Sent.Add(body);
                    try
                    {
                        using var response = await admin.PutAsync($"/apis/{app}", JsonAnswers.Body(body), stop.Token);
                        if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"PUT {app}: {(int)response.StatusCode}");
                        lock (history) history.Acknowledged = history.Sent.Count - 1;
                        Interlocked.Increment(ref answered);
                    }
                    catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
                    {
                        return; // the daemon is gone
                    }
                }
            })).ToArray();

            // Kill once a random number of PUTs were answered, a random moment later: the other
            // writer's PUT is somewhere between its first byte and its answer.
            await Eventually.WaitUntil(() => Volatile.Read(ref answered) >= killAfter, "some PUTs are answered");
            Thread.SpinWait(random.Next(0, 2_000_000));
            daemon.Signal(9);
            await daemon.WaitForExitAsync();
            stop.Cancel();
            await Task.WhenAll(writers);

            foreach (var (app, history) in histories)
            {
                var onDisk = File.ReadAllText(Path.Combine(conf.Path, app + ".json"));
                var old = history.Sent[history.Acknowledged];
                var inFlight = history.Sent[^1];
                (onDisk == old || onDisk == inFlight).Should().BeTrue(
                    $"round {round} (seed {seed}): {app}.json is the last answered version or the one in flight, whole, not {onDisk.Length} other bytes");
                history.Sent.Clear();
                history.Sent.Add(onDisk);
                history.Acknowledged = 0;
            }

            Directory.GetFiles(conf.Path, "*.json").Select(Path.GetFileName).Order().Should().Equal("alpha.json", "beta.json");
        }

        // The daemon starts on what the kills left, and serves exactly what the files say.
        await using var last = DaemonProcess.Start("--conf", conf.Path, "--port", "0", "--bind", "127.0.0.1");
        using var client = new HttpClient { BaseAddress = await last.ListeningAsync() };
        foreach (var (app, history) in histories)
        {
            var text = System.Text.Json.JsonDocument.Parse(history.Sent[0]).RootElement.GetProperty("mocks")[0].GetProperty("body").GetString();
            (await client.GetStringAsync($"/{app}/")).Should().Be(text);
        }

        last.Stdout.Should().Contain("Loaded 2 app(s)");
        last.Stderr.Should().BeEmpty();
    }
}
