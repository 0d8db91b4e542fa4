using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Valet.Bench.Soak;

/// <summary>A child process (a valet node or a backend) that can be SIGKILLed, signalled and measured through /proc.</summary>
public sealed class ChildProcess(string name, string dll, IReadOnlyList<string> args) : IAsyncDisposable
{
    private Process? _process;
    private int _reloadLines;

    public string Name { get; } = name;

    public int Pid => _process?.Id ?? 0;

    public bool Running => _process is { HasExited: false };

    /// <summary>Reloads the daemon logged ("Reload (trigger): ..."), over every start of the process.</summary>
    public int ReloadsLogged => Volatile.Read(ref _reloadLines);

    public void Start()
    {
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(dll);
        foreach (var arg in args) info.ArgumentList.Add(arg);
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("Reload (", StringComparison.Ordinal) == true) Interlocked.Increment(ref _reloadLines);
        };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"[{Name}] {e.Data}"); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>SIGKILL: no shutdown, no goodbye; in-flight requests are cut.</summary>
    public void Kill()
    {
        if (_process is not { HasExited: false } p) return;
        Signal(9);
        p.WaitForExit();
    }

    public void Signal(int signal)
    {
        if (kill(Pid, signal) != 0) throw new InvalidOperationException($"kill({Pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>Resident set size in KiB (VmRSS).</summary>
    public long RssKb()
    {
        foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) return long.Parse(line[6..].Trim().Split(' ')[0]);
        }

        return 0;
    }

    /// <summary>Open file descriptors: sockets (client, upstream and peer connections, listeners) and the others (files, pipes).</summary>
    public (int Sockets, int Others) OpenFds()
    {
        int sockets = 0, others = 0;
        foreach (var fd in Directory.GetFileSystemEntries($"/proc/{Pid}/fd"))
        {
            string? target = null;
            try { target = new FileInfo(fd).LinkTarget; }
            catch (IOException) { }
            if (target?.StartsWith("socket:", StringComparison.Ordinal) == true) sockets++;
            else others++;
        }

        return (sockets, others);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

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
