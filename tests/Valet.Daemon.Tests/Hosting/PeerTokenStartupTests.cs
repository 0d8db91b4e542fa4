using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Hosting;

/// <summary>
/// A peer token file whose first line is blank is refused at start (exit 78): read as an empty
/// token, it would let in any caller sending <c>authorization: Bearer</c> and nothing else, and
/// read as no token, it would open the cluster without saying so.
/// </summary>
[Trait("Category", "Reliability")]
public sealed class PeerTokenStartupTests
{
    [Theory]
    [InlineData("")]
    [InlineData("\n")]
    [InlineData("   \nthe-token-on-the-second-line\n")]
    public async Task Start_PeerTokenFileBlank_Exits78(string content)
    {
        using var conf = new TempFolder();
        conf.Write("svc.json", JsonAnswers.MockApp("svc", "x"));
        using var secrets = new TempFolder();
        var tokenFile = secrets.Write("peer-token", content);
        await using var daemon = DaemonProcess.Start("--conf", conf.Path, "--port", "0", "--bind", "127.0.0.1",
            "--peer", "http://127.0.0.1:1/", "--peer-port", "0", "--peer-token-file", tokenFile);

        (await daemon.WaitForExitAsync()).Should().Be(78);
        daemon.Stderr.Should().Contain("the peer token is empty").And.Contain("not starting");
    }
}
