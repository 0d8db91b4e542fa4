using Valet.Daemon.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Valet.Daemon.Tests.Ui;

/// <summary>The dashboard on nodes set up in other ways: draining after SIGTERM, and without an admin token.</summary>
public sealed class DashboardNodeTests(ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    private const int Sigterm = 15;

    [Fact]
    public async Task Draining_AfterSigterm_ShowsTheDrainingMessage()
    {
        using var conf = new TempFolder();
        conf.Write("svc.json", JsonAnswers.MockApp("svc", "x"));
        await using var daemon = DaemonProcess.Start(["--conf", conf.Path, "--port", "0", "--bind", "127.0.0.1", "--drain-delay", "60"],
            new Dictionary<string, string> { ["VALET_ADMIN_TOKEN"] = DashboardFixture.Token });
        await using var dashboard = await DashboardPage.OpenAsync(chromium.Browser, await daemon.AdminListeningAsync());
        await dashboard.SignInAsync(DashboardFixture.Token, "svc");
        await Expect(dashboard.Page.Locator("#node-state")).ToHaveTextAsync("ready");
        await Expect(dashboard.Page.Locator("#banner")).ToBeHiddenAsync();

        daemon.Signal(Sigterm);

        var banner = dashboard.Page.Locator("#banner");
        await Expect(banner).ToBeVisibleAsync(new() { Timeout = DashboardPage.Deadline });
        await Expect(banner).ToContainTextAsync("This node is draining");
        await Expect(banner).ToContainTextAsync("in-flight requests are finishing");
        await Expect(dashboard.Page.Locator("#node-state")).ToHaveTextAsync("draining");
        await Expect(dashboard.AppRow("svc")).ToBeVisibleAsync(new() { Timeout = DashboardPage.Deadline });
    }

    [Fact]
    public async Task NoAdminToken_LoopbackNode_ShowsTheAppsWithoutAsking()
    {
        using var conf = new TempFolder();
        conf.Write("svc.json", JsonAnswers.MockApp("svc", "x"));
        await using var daemon = DaemonProcess.Start("--conf", conf.Path, "--port", "0", "--bind", "127.0.0.1");
        await using var dashboard = await DashboardPage.OpenAsync(chromium.Browser, await daemon.AdminListeningAsync());

        await Expect(dashboard.AppRow("svc")).ToBeVisibleAsync(new() { Timeout = DashboardPage.Deadline });

        await Expect(dashboard.Page.Locator("#login")).ToBeHiddenAsync();
        await Expect(dashboard.Page.Locator("#sign-out")).ToBeHiddenAsync();
        await Expect(dashboard.Page.Locator("#updated")).ToContainTextAsync("no admin token set on this node");
        dashboard.Problems.Should().BeEmpty();
    }

    [Fact]
    public async Task MetricsParser_SumsRequestsByAppWhateverTheLabelOrder()
    {
        using var conf = new TempFolder();
        conf.Write("svc.json", JsonAnswers.MockApp("svc", "x"));
        await using var daemon = DaemonProcess.Start("--conf", conf.Path, "--port", "0", "--bind", "127.0.0.1");
        await using var dashboard = await DashboardPage.OpenAsync(chromium.Browser, await daemon.AdminListeningAsync());
        const string text = """
            # HELP valet_requests_total Requests answered.
            # TYPE valet_requests_total counter
            valet_requests_total{app="a",method="GET",status="2xx",consumer="-"} 7
            valet_requests_total{status="5xx",consumer="x",app="a",method="POST"} 2
            valet_requests_total{method="GET", app="b" ,status="503"} 1.0 1700000000000
            valet_requests_total{app="c\"q",status="4xx"} 3
            valet_requests_total_other{app="a",status="5xx"} 100
            valet_requests_total_created{app="a"} 1700000000
            valet_request_duration_seconds_count{app="a"} 9
            """;

        var counts = await dashboard.Page.EvaluateAsync<Dictionary<string, int[]>>(
            "text => Object.fromEntries([...window.valetDashboard.parseRequestCounts(text)].map(([k, v]) => [k, [v.total, v.errors]]))", text);

        counts.Should().BeEquivalentTo(new Dictionary<string, int[]>
        {
            ["a"] = [9, 2],
            ["b"] = [1, 1],
            ["c\"q"] = [3, 0],
        });
    }
}
