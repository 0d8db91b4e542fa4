using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Valet.Bench.Soak;

/// <summary>One valet daemon of the pair: its own conf folder, public, admin and peer ports on loopback, the shared peer token.</summary>
public sealed class Node : IAsyncDisposable
{
    private readonly ChildProcess _process;

    public Node(string dll, string id, string conf, string tokenFile, int peerPort, int peerPortOfOther)
    {
        Id = id;
        Conf = conf;
        Port = FreePort();
        AdminPort = FreePort();
        PeerPort = peerPort;
        _process = new ChildProcess(id, dll,
        [
            "--conf", conf, "--port", Port.ToString(), "--bind", "127.0.0.1", "--admin-port", AdminPort.ToString(),
            "--node-id", id, "--peer", $"http://127.0.0.1:{peerPortOfOther}/", "--peer-port", PeerPort.ToString(),
            "--peer-token-file", tokenFile, "--drain-delay", "0",
        ]);
        Admin = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri($"http://127.0.0.1:{AdminPort}/"), Timeout = TimeSpan.FromSeconds(10) };
    }

    public string Id { get; }

    public string Conf { get; }

    public int Port { get; }

    public int AdminPort { get; }

    public int PeerPort { get; }

    public Uri Address => new($"http://127.0.0.1:{Port}/");

    public HttpClient Admin { get; }

    public ChildProcess Process => _process;

    public void Start() => _process.Start();

    public void Kill() => _process.Kill();

    /// <summary>Waits until GET /ready answers 200: apps loaded and the peer's counts in.</summary>
    public async Task WaitReadyAsync(TimeSpan? deadline = null)
    {
        var until = DateTime.UtcNow + (deadline ?? TimeSpan.FromSeconds(60));
        while (DateTime.UtcNow < until)
        {
            try
            {
                using var response = await Admin.GetAsync("/ready");
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"{Id} did not become ready");
    }

    /// <summary>Whether GET /peers lists the other node as up.</summary>
    public async Task<bool> PeerUpAsync()
    {
        try
        {
            var json = JsonDocument.Parse(await Admin.GetStringAsync("/peers")).RootElement;
            return json.GetProperty("peers").EnumerateArray().Any(p => p.GetProperty("state").GetString() is "up" or "connected");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException)
        {
            return false;
        }
    }

    /// <summary>The current window's (window, used) of a rate-limited app, from GET /apis: the figure the node admits by.</summary>
    public async Task<(long Window, long Used)?> UsageAsync(string app)
    {
        var json = JsonDocument.Parse(await Admin.GetStringAsync("/apis")).RootElement;
        foreach (var entry in json.GetProperty("apps").EnumerateArray())
        {
            if (entry.GetProperty("name").GetString() != app) continue;
            var usage = entry.GetProperty("rateLimit").GetProperty("usage");
            return (usage.GetProperty("window").GetInt64(), usage.GetProperty("used").GetInt64());
        }

        return null;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        await _process.DisposeAsync();
    }
}
