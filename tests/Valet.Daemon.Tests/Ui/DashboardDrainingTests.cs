using Valet.Daemon.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Valet.Daemon.Tests.Ui;

/// <summary>The dashboard of a node that SIGTERM sent draining: GET /ready answers 503 and the page says so.</summary>
public sealed class DashboardDrainingTests
{
    private const int Sigterm = 15;

    [Fact]
    public async Task Draining_AfterSigterm_ShowsTheDrainingMessage()
    {
        using var conf = new TempFolder();
        conf.Write("svc.json", JsonAnswers.MockApp("svc", "x"));
        await using var daemon = DaemonProcess.Start(["--conf", conf.Path, "--port", "0", "--bind", "127.0.0.1", "--drain-delay", "60"],
            new Dictionary<string, string> { ["VALET_ADMIN_TOKEN"] = DashboardFixture.Token });
        var admin = await daemon.AdminListeningAsync();
        await using var chromium = await HeadlessChromium.LaunchAsync();
        await using var dashboard = await DashboardPage.OpenAsync(chromium.Browser, admin);
        await dashboard.SignInAsync(DashboardFixture.Token, "svc");
        await Expect(dashboard.Page.Locator("#node-state")).ToHaveTextAsync("ready");

        daemon.Signal(Sigterm);

        var banner = dashboard.Page.Locator("#banner");
        await Expect(banner).ToBeVisibleAsync(new() { Timeout = DashboardPage.Deadline });
        await Expect(banner).ToContainTextAsync("This node is draining");
        await Expect(dashboard.Page.Locator("#node-state")).ToHaveTextAsync("draining");
        await Expect(dashboard.AppRow("svc")).ToBeVisibleAsync(new() { Timeout = DashboardPage.Deadline });
    }
}
