using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Valet.Daemon.Tests.Infrastructure;

/// <summary>
/// Debian's grpcio (<c>/usr/bin/python3</c> with python3-grpcio and python3-grpc-tools) on either
/// side of Valet: stubs generated once per run from <c>Protocols/Grpc/echo.proto</c>, the server as
/// a long-lived child process, each client call as a short one. Never skipped: CI installs the
/// packages (.ci/run).
/// </summary>
public sealed class Grpcio : IAsyncDisposable
{
    public const string Python = "/usr/bin/python3";

    private static readonly string Scripts = Path.Combine(AppContext.BaseDirectory, "Protocols", "Grpc");
    private static readonly Lazy<Task<string>> Stubs = new(GenerateStubsAsync);
    private readonly Process _server;
    private readonly StringBuilder _stderr = new();

    private Grpcio(Process server, int port)
    {
        _server = server;
        Port = port;
    }

    /// <summary>The grpcio server's port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>Starts <c>echo_server.py</c> and waits for the port it prints.</summary>
    public static async Task<Grpcio> StartServerAsync()
    {
        var process = Start("echo_server.py", await Stubs.Value);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
        if (line is null || !line.StartsWith("PORT ", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("the grpcio server did not start: " + await process.StandardError.ReadToEndAsync());
        }

        return new Grpcio(process, int.Parse(line[5..], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Runs one call of <c>echo_client.py</c> against <paramref name="target"/> and parses its outcome.</summary>
    public static async Task<JsonElement> CallAsync(Uri target, string call, string? authority = null, string? key = null)
    {
        var args = new List<string> { await Stubs.Value, target.Authority, authority ?? "-", call };
        if (key is not null) args.Add(key);
        using var process = Start("echo_client.py", [.. args]);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        var output = await stdout;
        if (process.ExitCode != 0 || output.Length == 0) throw new InvalidOperationException($"echo_client.py {call} failed ({process.ExitCode}): {await stderr}");
        return JsonDocument.Parse(output).RootElement.Clone();
    }

    private static Process Start(string script, params string[] args)
    {
        var info = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Scripts,
        };
        info.ArgumentList.Add(Path.Combine(Scripts, script));
        foreach (var arg in args) info.ArgumentList.Add(arg);
        info.Environment["PYTHONUNBUFFERED"] = "1";
        info.Environment["PYTHONIOENCODING"] = "utf-8";
        // grpcio must reach 127.0.0.1 directly, whatever proxy the environment names.
        info.Environment["no_grpc_proxy"] = "*";
        info.Environment.Remove("http_proxy");
        info.Environment.Remove("https_proxy");
        info.Environment.Remove("grpc_proxy");
        return Process.Start(info) ?? throw new InvalidOperationException("python3 did not start");
    }

    private static async Task<string> GenerateStubsAsync()
    {
        var output = Path.Combine(Path.GetTempPath(), "valet-echo-stubs-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(output);
        var info = new ProcessStartInfo(Python) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { "-m", "grpc_tools.protoc", "-I", Scripts, "--python_out=" + output, "--grpc_python_out=" + output, "echo.proto" })
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
            _server.StandardInput.Close();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _server.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _server.Kill(entireProcessTree: true);
        }

        _server.Dispose();
    }
}
