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
        await using var backend = await TestBackend.StartAsync(_ => Task.CompletedTask);
        using var conf = new TempFolder();
        conf.Write("svc.json", JsonSerializer.Serialize(TestGateway.App("svc", backend)));
        var env = new Dictionary<string, string>();
        if (environment is not null) env["VALET_UPSTREAM_CLIENT"] = environment;
        string[] args = ["--conf", conf.Path, "--port", "0", "--bind", "127.0.0.1", "--access-log", "off"];
        if (flag is not null) args = [.. args, "--upstream-client", flag];
        await using var daemon = DaemonProcess.Start(args, env);
        var address = await daemon.ListeningAsync();

        var answer = await RawHttp.SendAsync(address, "GET /svc/a\\b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

        RawHttp.Status(answer).Should().Be(200);
        backend.Seen.Single().RawTarget.Should().Be(reaches);
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
        await using var backend = await TestBackend.StartAsync(_ => Task.CompletedTask);
        using var conf = new TempFolder();
        conf.Write("svc.json", JsonSerializer.Serialize(TestGateway.App("svc", backend)));
        var env = new Dictionary<string, string>();
        if (environment is not null) env["VALET_IO"] = environment;
        string[] args = ["--conf", conf.Path, "--port", "0", "--bind", "127.0.0.1", "--access-log", "off"];
        if (flag is not null) args = [.. args, "--io", flag];
        await using var daemon = DaemonProcess.Start(args, env);
        var address = await daemon.ListeningAsync();

        for (var i = 0; i < 3; i++)
        {
            var answer = await RawHttp.SendAsync(address, "GET /svc/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            RawHttp.Status(answer).Should().Be(200);
        }

        var threads = Directory.GetDirectories($"/proc/{daemon.Pid}/task").Select(t => File.ReadAllText(Path.Combine(t, "comm")).Trim());
        threads.Any(name => name.StartsWith("valet-loop-", StringComparison.Ordinal)).Should().Be(loops);
        backend.Seen.Should().HaveCount(3);
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
}
