using System.Diagnostics;
using System.Text;

namespace Valet.Peering.Tests.Infrastructure;

/// <summary>
/// Debian's grpcio (<c>/usr/bin/python3</c> with python3-grpcio and python3-grpc-tools): stubs generated
/// once per test run from the repository's protos, and the interop scripts run as child processes.
/// These tests are never skipped: CI installs the packages (.ci/run).
/// </summary>
public sealed class PythonGrpc : IAsyncDisposable
{
    public const string Python = "/usr/bin/python3";

    private static readonly Lazy<Task<string>> Stubs = new(GenerateStubsAsync);
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly StringBuilder _stderr = new();

    private PythonGrpc(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_lines) _lines.Add(e.Data);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_stderr) _stderr.AppendLine(e.Data);
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public static Task<string> StubsAsync() => Stubs.Value;

    public IReadOnlyList<string> Lines
    {
        get { lock (_lines) return _lines.ToArray(); }
    }

    public string Stderr
    {
        get { lock (_stderr) return _stderr.ToString(); }
    }

    public static async Task<PythonGrpc> StartAsync(string script, params string[] args)
    {
        var stubs = await StubsAsync();
        var info = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Path.Combine(AppContext.BaseDirectory, "Interop"),
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Interop", script));
        foreach (var arg in args) info.ArgumentList.Add(arg.Replace("{stubs}", stubs, StringComparison.Ordinal));
        info.Environment["PYTHONUNBUFFERED"] = "1";
        info.Environment["PYTHONIOENCODING"] = "utf-8";
        return new PythonGrpc(Process.Start(info) ?? throw new InvalidOperationException("python3 did not start"));
    }

    /// <summary>The first output line that satisfies <paramref name="match"/>, waiting for it.</summary>
    public async Task<string> LineAsync(Func<string, bool> match, string what, TimeSpan? timeout = null)
    {
        string? found = null;
        await Eventually.Until(() =>
        {
            found = Lines.FirstOrDefault(match);
            if (found is null && _process.HasExited) throw new InvalidOperationException($"python exited ({_process.ExitCode}) before {what}: {Stderr}");
            return found is not null;
        }, what + " (stderr: " + Stderr + ")", timeout ?? TimeSpan.FromSeconds(60));
        return found!;
    }

    private static async Task<string> GenerateStubsAsync()
    {
        var output = Path.Combine(Path.GetTempPath(), "valet-grpc-stubs-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(output);
        var info = new ProcessStartInfo(Python) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { "-m", "grpc_tools.protoc", "-I", Path.Combine(RepoRoot.Path, "protos"), "--python_out=" + output, "--grpc_python_out=" + output,
                     "valet/peering/v1/peering.proto", "grpc/health/v1/health.proto" })
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException("grpc_tools.protoc failed (is python3-grpc-tools installed?): " + stderr);
        return output;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (Exception)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}
