using System.Text.Json;
using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Cli;

/// <summary>
/// <c>--upstream-client</c> / <c>VALET_UPSTREAM_CLIENT</c> and <c>--io</c> / <c>VALET_IO</c> on the real daemon. The two clients are
/// told apart by a backslash in the path: System.Uri (the pooled client's path) turns it into '/',
/// Valet's own client escapes it as %5C.
/// </summary>
public sealed class UpstreamClientFlagTests
{
    [Theory]
    [InlineData(null, null, "/a%5Cb")]
    [InlineData("sockets", null, "/a/b")]
    [InlineData(null, "sockets", "/a/b")]
    [InlineData("sockets", "valet", "/a%5Cb")]
    public async Task Choice_FlagOverEnvironment_DecidesTheClient(string? environment, string? flag, string reaches)
    {
        await using var run = await Run.StartAsync("VALET_UPSTREAM_CLIENT", environment, "--upstream-client", flag);

        var answer = await RawHttp.SendAsync(run.Address, "GET /svc/a\\b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

        RawHttp.Status(answer).Should().Be(200);
        run.Backend.Seen.Single().RawTarget.Should().Be(reaches);
    }

    /// <summary>
    /// <c>--io</c> / <c>VALET_IO</c>: the event loops' threads (valet-loop-N) exist once a
    /// connection was served on them, and not at all on .NET's engine; either way requests are served.
    /// </summary>
    [Theory]
    [InlineData(null, null, true)]
    [InlineData("sockets", null, false)]
    [InlineData(null, "sockets", false)]
    [InlineData("sockets", "loops", true)]
    public async Task Io_FlagOverEnvironment_DecidesTheEngine(string? environment, string? flag, bool loops)
    {
        await using var run = await Run.StartAsync("VALET_IO", environment, "--io", flag);

        for (var i = 0; i < 3; i++)
        {
            var answer = await RawHttp.SendAsync(run.Address, "GET /svc/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            RawHttp.Status(answer).Should().Be(200);
        }

        var threads = Directory.GetDirectories($"/proc/{run.Daemon.Pid}/task").Select(t => File.ReadAllText(Path.Combine(t, "comm")).Trim());
        threads.Any(name => name.StartsWith("valet-loop-", StringComparison.Ordinal)).Should().Be(loops);
        run.Backend.Seen.Should().HaveCount(3);
    }

    [Theory]
    [InlineData("--upstream-client", "curl", "--upstream-client 'curl' is not one of valet, sockets")]
    [InlineData("--io", "uring", "--io 'uring' is not one of loops, sockets")]
    public async Task BadValue_RefusedWithAClearError(string flag, string value, string error)
    {
        using var conf = new TempFolder();
        await using var daemon = DaemonProcess.Start("--conf", conf.Path, "--port", "0", flag, value);

        (await daemon.WaitForExitAsync()).Should().NotBe(0);
        (daemon.Stderr + daemon.Stdout).Should().Contain(error);
    }

    /// <summary>A backend and a daemon in front of it, with the choice given by variable and/or flag.</summary>
    private sealed record Run(TestBackend Backend, TempFolder Conf, DaemonProcess Daemon, Uri Address) : IAsyncDisposable
    {
        public static async Task<Run> StartAsync(string variable, string? environment, string option, string? flag)
        {
            var backend = await TestBackend.StartAsync(_ => Task.CompletedTask);
            var conf = new TempFolder();
            conf.Write("svc.json", JsonSerializer.Serialize(TestGateway.App("svc", backend)));
            var env = new Dictionary<string, string>();
            if (environment is not null) env[variable] = environment;
            string[] args = ["--conf", conf.Path, "--port", "0", "--bind", "127.0.0.1", "--access-log", "off"];
            if (flag is not null) args = [.. args, option, flag];
            var daemon = DaemonProcess.Start(args, env);
            return new Run(backend, conf, daemon, await daemon.ListeningAsync());
        }

        public async ValueTask DisposeAsync()
        {
            await Daemon.DisposeAsync();
            Conf.Dispose();
            await Backend.DisposeAsync();
        }
    }
}
