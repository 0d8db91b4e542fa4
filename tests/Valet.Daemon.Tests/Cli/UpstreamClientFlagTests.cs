using System.Text.Json;
using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Cli;

/// <summary>
/// <c>--upstream-client</c> / <c>VALET_UPSTREAM_CLIENT</c> on the real daemon. The two clients are
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

    [Theory]
    [InlineData("--upstream-client", "curl")]
    public async Task BadValue_RefusedWithAClearError(string flag, string value)
    {
        using var conf = new TempFolder();
        await using var daemon = DaemonProcess.Start("--conf", conf.Path, "--port", "0", flag, value);

        (await daemon.WaitForExitAsync()).Should().NotBe(0);
        (daemon.Stderr + daemon.Stdout).Should().Contain("--upstream-client 'curl' is not one of valet, sockets");
    }
}
