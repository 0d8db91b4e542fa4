using System.Diagnostics;

namespace Valet.Bench.Cluster;

/// <summary>One real valet daemon (the Release build) as a child process on loopback.</summary>
public sealed class ValetProcess : IAsyncDisposable
{
    private readonly string _dll;
    private readonly string[] _args;
    private Process? _process;

    public ValetProcess(string dll, string conf, string nodeId, int port, int peerPort, Uri peer)
    {
        _dll = dll;
        NodeId = nodeId;
        Port = port;
        PeerPort = peerPort;
        _args = ["--conf", conf, "--port", port.ToString(), "--bind", "127.0.0.1", "--node-id", nodeId, "--peer", peer.ToString(), "--peer-port", peerPort.ToString(), "--admin-port", "0",
            // No access log: its lines would come through a pipe into this process, which would spend
            // the cores the nodes need on reading and dropping them.
            "--access-log", "off"];
    }

    public string NodeId { get; }

    public int Port { get; }

    public int PeerPort { get; }

    public Uri Address => new($"http://127.0.0.1:{Port}/");

    public Uri PeerAddress => new($"http://127.0.0.1:{PeerPort}/");

    public void Start()
    {
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(_dll);
        foreach (var (name, value) in UnitEnvironment()) info.Environment[name] = value;
        foreach (var arg in _args) info.ArgumentList.Add(arg);
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"[{NodeId}] {e.Data}"); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The runtime environment valet.service sets (its Environment= lines): the nodes run as deployed.</summary>
    private static IEnumerable<(string Name, string Value)> UnitEnvironment()
    {
        if (!File.Exists("valet.service")) yield break;
        foreach (var line in File.ReadLines("valet.service"))
        {
            if (!line.StartsWith("Environment=", StringComparison.Ordinal)) continue;
            var pair = line["Environment=".Length..].Split('=', 2);
            if (pair.Length == 2) yield return (pair[0], pair[1]);
        }
    }

    /// <summary>Waits until the public listener answers (the probe app is not rate limited).</summary>
    public async Task WaitListeningAsync(HttpClient client)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var response = await client.GetAsync(new Uri(Address, "/probe/"));
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"{NodeId} did not start listening");
    }

    /// <summary>SIGKILL: no shutdown, no goodbye to peers.</summary>
    public void Kill()
    {
        _process?.Kill(entireProcessTree: false);
        _process?.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill();
            await p.WaitForExitAsync();
        }

        _process?.Dispose();
    }
}
