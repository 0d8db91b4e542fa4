using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Valet.Daemon.Tests.Infrastructure;

/// <summary>The real <c>valet</c> daemon as a child process (the build output copied beside the tests).</summary>
public sealed partial class DaemonProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<Uri> _adminListening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<(string Text, TaskCompletionSource Seen)> _awaitedLines = [];

    private DaemonProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_stdout)
            {
                _stdout.AppendLine(e.Data);
                foreach (var (text, seen) in _awaitedLines)
                {
                    if (e.Data.Contains(text, StringComparison.Ordinal)) seen.TrySetResult();
                }
            }

            var match = ListeningLine().Match(e.Data);
            if (match.Success) _listening.TrySetResult(new Uri(match.Groups[1].Value));
            var admin = AdminListeningLine().Match(e.Data);
            if (admin.Success) _adminListening.TrySetResult(new Uri(admin.Groups[1].Value));
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_stderr) _stderr.AppendLine(e.Data);
        };
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) =>
        {
            _listening.TrySetException(new InvalidOperationException("valet exited: " + Stderr + Stdout));
            _adminListening.TrySetException(new InvalidOperationException("valet exited: " + Stderr + Stdout));
        };
    }

    public int Pid => _process.Id;

    public string Stdout { get { lock (_stdout) return _stdout.ToString(); } }

    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

    public static DaemonProcess Start(params string[] args) => Start(args, null);

    public static DaemonProcess Start(string[] args, IDictionary<string, string>? environment)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "valet.dll"));
        foreach (var arg in args) info.ArgumentList.Add(arg);
        foreach (var name in new[] { "VALET_CONF", "VALET_PORT", "VALET_BIND", "VALET_H2C_PORT", "VALET_ADMIN_BIND", "VALET_ADMIN_TOKEN", "VALET_ADMIN_TOKEN_FILE", "VALET_ACCESS_LOG", "VALET_OTLP_ENDPOINT" })
        {
            info.Environment.Remove(name);
        }

        // Tests run in parallel: the admin API takes any free port unless a test says otherwise.
        info.Environment["VALET_ADMIN_PORT"] = "0";
        if (environment is not null) foreach (var (k, v) in environment) info.Environment[k] = v;
        var process = Process.Start(info)!;
        var daemon = new DaemonProcess(process);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return daemon;
    }

    /// <summary>The public listener's address, once the daemon logged it.</summary>
    public Task<Uri> ListeningAsync() => _listening.Task.WaitAsync(TimeSpan.FromSeconds(30));

    /// <summary>The admin listener's address, once the daemon logged it.</summary>
    public Task<Uri> AdminListeningAsync() => _adminListening.Task.WaitAsync(TimeSpan.FromSeconds(30));

    /// <summary>Completes when standard output has (or already had) a line containing <paramref name="text"/>.</summary>
    public Task WaitForStdoutAsync(string text)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_stdout)
        {
            if (_stdout.ToString().Contains(text, StringComparison.Ordinal)) return Task.CompletedTask;
            _awaitedLines.Add((text, seen));
        }

        return seen.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Sends a POSIX signal (e.g. 1 = SIGHUP) to the daemon.</summary>
    public void Signal(int signal)
    {
        if (kill(Pid, signal) != 0) throw new InvalidOperationException($"kill({Pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    public async Task<int> WaitForExitAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    /// <summary>A field of <c>/proc/PID/status</c> in kB (VmRSS, VmHWM).</summary>
    public long StatusKb(string field)
    {
        foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0]);
            }
        }

        throw new InvalidOperationException(field + " not found");
    }

    /// <summary>Resets the peak resident set size (VmHWM) to the current one.</summary>
    public void ResetPeakRss() => File.WriteAllText($"/proc/{Pid}/clear_refs", "5");

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    [GeneratedRegex(@"Valet listening on (http://\S+)")]
    private static partial Regex ListeningLine();

    [GeneratedRegex(@"Valet admin API listening on (http://\S+)")]
    private static partial Regex AdminListeningLine();
}
