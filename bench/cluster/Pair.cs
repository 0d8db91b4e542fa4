using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Valet.Bench.Cluster;

/// <summary>Two valet processes on loopback, each reaching the other's peer port through a cuttable relay.</summary>
public sealed class Pair : IAsyncDisposable
{
    private readonly string _conf;

    private Pair(string conf, ValetProcess a, ValetProcess b, TcpRelay? ab, TcpRelay? ba)
    {
        _conf = conf;
        A = a;
        B = b;
        AtoB = ab;
        BtoA = ba;
    }

    public ValetProcess A { get; }

    public ValetProcess B { get; }

    /// <summary>The relay node a's link to b runs through (null when the nodes are linked directly).</summary>
    public TcpRelay? AtoB { get; }

    public TcpRelay? BtoA { get; }

    public ValetProcess this[int i] => i == 0 ? A : B;

    /// <summary>
    /// Starts the pair. With <paramref name="relays"/> each node's link to the other runs through a
    /// cuttable relay in this process (for partitions); without, the nodes are linked directly (the
    /// sync-lag scenario: a relay would add its own hops and this process's scheduling to the lag).
    /// </summary>
    public static async Task<Pair> StartAsync(string dll, HttpClient client, bool relays, params (string Name, int Limit, int Period, string Policy)[] apps)
    {
        var conf = Directory.CreateTempSubdirectory("valet-bench-").FullName;
        File.WriteAllText(Path.Combine(conf, "probe.json"), """{ "name": "probe", "mocks": [ { "path": "/*", "body": "ok" } ] }""");
        File.WriteAllText(Path.Combine(conf, "warm.json"), """{ "name": "warm", "rateLimit": true, "limitValue": 1000000000, "mocks": [ { "path": "/*", "body": "ok" } ] }""");
        foreach (var (name, limit, period, policy) in apps)
        {
            File.WriteAllText(Path.Combine(conf, name + ".json"), JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["name"] = name, ["rateLimit"] = true, ["limitValue"] = limit, ["limitPeriod"] = period, ["partitionPolicy"] = policy,
                ["mocks"] = new[] { new Dictionary<string, object> { ["path"] = "/*", ["body"] = "ok" } },
            }));
        }

        int[] ports = [Free(), Free(), Free(), Free()];
        var ab = relays ? TcpRelay.Start("a->b", new IPEndPoint(IPAddress.Loopback, ports[3])) : null;
        var ba = relays ? TcpRelay.Start("b->a", new IPEndPoint(IPAddress.Loopback, ports[2])) : null;
        var a = new ValetProcess(dll, conf, "bench-a", ports[0], ports[2], new Uri($"http://127.0.0.1:{ab?.Port ?? ports[3]}/"));
        var b = new ValetProcess(dll, conf, "bench-b", ports[1], ports[3], new Uri($"http://127.0.0.1:{ba?.Port ?? ports[2]}/"));
        a.Start();
        b.Start();
        await Task.WhenAll(a.WaitListeningAsync(client), b.WaitListeningAsync(client));
        var pair = new Pair(conf, a, b, ab, ba);
        await pair.WaitUpAsync(client);

        // Warm-up (JIT, connection pools) on its own budget, as a node in service would be.
        await LoadGenerator.RunAsync(pair, "warm", 1000, 0.5, TimeSpan.FromSeconds(3));
        return pair;
    }

    /// <summary>Waits until both nodes list their peer as up (GET /peers on the peer port).</summary>
    public async Task WaitUpAsync(HttpClient client)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (await StateAsync(client, A) == "up" && await StateAsync(client, B) == "up") return;
            await Task.Delay(5);
        }

        throw new TimeoutException("peers did not come up");
    }

    public static async Task<JsonElement?> PeerAsync(HttpClient client, ValetProcess node)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(node.PeerAddress, "/peers"))
            {
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            };
            using var response = await client.SendAsync(request);
            var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            return json.GetProperty("peers").EnumerateArray().First(p => p.GetProperty("address").ValueKind == JsonValueKind.String).Clone();
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    public static async Task<string?> StateAsync(HttpClient client, ValetProcess node) =>
        (await PeerAsync(client, node))?.GetProperty("state").GetString();

    private static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
        AtoB?.Dispose();
        BtoA?.Dispose();
        try { Directory.Delete(_conf, recursive: true); } catch (IOException) { }
    }
}
