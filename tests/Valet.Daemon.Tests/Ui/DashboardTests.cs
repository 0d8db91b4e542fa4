using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using Valet.Daemon.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Valet.Daemon.Tests.Ui;

/// <summary>
/// The dashboard (<c>GET /ui</c>) in a real headless Chromium against a real daemon serving the
/// sample conf: one browser and one daemon for the class, a fresh browser context per test.
/// </summary>
public sealed class DashboardTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    private static readonly LocatorAssertionsToBeVisibleOptions Visible = new() { Timeout = DashboardPage.Deadline };

    [Fact]
    public async Task Page_WithToken_ListsTheSampleAppsAndNoSecret()
    {
        await using var dashboard = await DashboardPage.OpenAsync(fixture.Browser, fixture.Admin);
        await dashboard.SignInAsync(DashboardFixture.Token);
        var page = dashboard.Page;

        await Expect(dashboard.AppRow("dashboard")).ToBeVisibleAsync(Visible);
        await Expect(dashboard.AppRow("limited")).ToBeVisibleAsync(Visible);
        await Expect(dashboard.AppRow("hello").Locator(".col-endpoints")).ToContainTextAsync("mock only (3 routes)");
        await Expect(dashboard.AppRow("dashboard").Locator(".col-endpoints")).ToContainTextAsync("aggregate of hello (3 parts)");
        await Expect(dashboard.AppRow("limited").Locator(".col-auth")).ToContainTextAsync("API key");
        await Expect(dashboard.AppRow("hello").Locator(".col-load .pill")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^(added|unchanged)$"));
        await Expect(page.Locator("#node-state")).ToHaveTextAsync("ready");
        await Expect(page.Locator("#peers-none")).ToBeVisibleAsync(Visible);
        await Expect(page.Locator("#reload-summary")).ToContainTextAsync("OK");
        (await page.Locator("#apps-body > tr[data-app]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.app)"))
            .Should().ContainInOrder("dashboard", "hello", "limited");

        var html = await page.ContentAsync();
        html.Should().NotContain(DashboardFixture.Token).And.NotContain(DashboardFixture.LimitedKey);
        (await page.EvaluateAsync<string>("() => sessionStorage.getItem('valet.adminToken')")).Should().Be(DashboardFixture.Token);
        // The browser logs the probe's 401 (before the token) as a failed load; anything else is a fault.
        dashboard.Problems.Where(p => !p.StartsWith("Failed to load resource: the server responded with a status of 401", StringComparison.Ordinal))
            .Should().BeEmpty("the page runs under its Content-Security-Policy without a violation or an error");
    }

    [Fact]
    public async Task UsageBar_AfterRequestsToTheLimitedApp_ShowsTheNewCount()
    {
        await using var dashboard = await DashboardPage.OpenAsync(fixture.Browser, fixture.Admin);
        await dashboard.SignInAsync(DashboardFixture.Token, "limited");
        var usage = dashboard.AppRow("limited").Locator(".usage");
        var before = await UsedAsync();
        await Expect(usage).ToHaveAttributeAsync("data-used", before.ToString(), new() { Timeout = DashboardPage.Deadline });
        var widthBefore = await usage.Locator(".bar > span").EvaluateAsync<string>("e => e.style.width");

        await fixture.CallLimitedAsync(5);

        await Expect(usage).ToHaveAttributeAsync("data-used", (before + 5).ToString(), new() { Timeout = DashboardPage.Deadline });
        await Expect(usage.Locator(".used")).ToHaveTextAsync($"{before + 5} / {DashboardFixture.Limit} used");
        var widthAfter = await usage.Locator(".bar > span").EvaluateAsync<string>("e => e.style.width");
        ParsePercent(widthAfter).Should().BeGreaterThan(ParsePercent(widthBefore)).And.BeApproximately(100.0 * (before + 5) / DashboardFixture.Limit, 0.1);
        await Expect(dashboard.AppRow("limited").Locator(".reset")).ToContainTextAsync("window resets in");
        await Expect(dashboard.AppRow("limited").Locator(".policy")).ToHaveTextAsync($"{DashboardFixture.Limit} per 3600 s");
    }

    [Fact]
    public async Task Charts_AfterRequestsAndFailures_DrawRequestRateAndErrorShare()
    {
        await using var dashboard = await DashboardPage.OpenAsync(fixture.Browser, fixture.Admin);
        await dashboard.SignInAsync(DashboardFixture.Token, "limited");
        var row = dashboard.AppRow("limited");
        // Two samples make the first interval; wait for it before sending traffic.
        await Expect(row.Locator("[data-chart=rate] .value")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"/s$"));

        await fixture.CallLimitedAsync(3);
        await fixture.CallLimitedAsync(1, "/limited/fail");

        await Expect(row.Locator("[data-chart=rate] .note")).ToHaveTextAsync("4 in 5 min");
        await Expect(row.Locator("[data-chart=errors] .note")).ToHaveTextAsync("1 5xx in 5 min");
        await Expect(row.Locator("[data-chart=errors]")).ToHaveAttributeAsync("data-failing", "yes");
        var points = await row.Locator("[data-chart=rate] polyline").GetAttributeAsync("points");
        points!.Split(' ').Should().HaveCountGreaterThan(1);
        points.Split(' ').Select(p => double.Parse(p.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture))
            .Should().Contain(y => y < 28, "a request rate above zero is drawn above the baseline");
        await Expect(dashboard.AppRow("hello").Locator("[data-chart=rate] .note")).ToHaveTextAsync("0 in 5 min");
    }

    [Fact]
    public async Task Reload_WithABrokenFile_ShowsThePerAppResultWithTheError()
    {
        await using var dashboard = await DashboardPage.OpenAsync(fixture.Browser, fixture.Admin);
        await dashboard.SignInAsync(DashboardFixture.Token);
        var page = dashboard.Page;
        fixture.Conf.Write("broken.json", "{ \"name\": \"broken\", \"endpoints\": [ ");
        try
        {
            await page.Locator("#reload").ClickAsync();

            await Expect(page.Locator("#reload-at")).ToContainTextAsync("from the Reload button");
            await Expect(page.Locator("#reload-summary")).ToHaveAttributeAsync("data-ok", "false");
            var failed = page.Locator("#reload-apps > li[data-status=\"failed\"]");
            await Expect(failed).ToContainTextAsync("broken.json");
            await Expect(failed.Locator("ul.errors li").First).ToContainTextAsync("invalid JSON");
            await Expect(page.Locator("#reload-apps > li[data-app=\"hello\"] .pill")).ToHaveTextAsync("unchanged");
            await Expect(dashboard.AppRow("hello")).ToBeVisibleAsync(Visible);
        }
        finally
        {
            File.Delete(Path.Combine(fixture.Conf.Path, "broken.json"));
            (await fixture.AdminClient.PostAsync("/reload", null)).EnsureSuccessStatusCode();
        }
    }

    [Fact]
    public async Task WrongToken_ShowsTheMessageAndNoData()
    {
        await using var dashboard = await DashboardPage.OpenAsync(fixture.Browser, fixture.Admin);

        await dashboard.EnterTokenAsync("not-the-admin-token");

        var error = dashboard.Page.Locator("#login-error");
        await Expect(error).ToBeVisibleAsync(Visible);
        await Expect(error).ToContainTextAsync("refused this token (401 Unauthorized)");
        await Expect(dashboard.Page.Locator("#main")).ToBeHiddenAsync();
        await Expect(dashboard.Page.Locator("#token")).ToBeVisibleAsync(Visible);
        (await dashboard.Page.EvaluateAsync<string?>("() => sessionStorage.getItem('valet.adminToken')")).Should().BeNull();

        await dashboard.SignInAsync(DashboardFixture.Token);
        await Expect(error).ToBeHiddenAsync();
    }

    [Fact]
    public async Task ConfigView_ShowsTheAppFileWithSecretsRedacted()
    {
        await using var dashboard = await DashboardPage.OpenAsync(fixture.Browser, fixture.Admin);
        await dashboard.SignInAsync(DashboardFixture.Token, "limited");

        await dashboard.AppRow("limited").Locator("button.app-name").ClickAsync();

        var config = dashboard.Page.Locator("tr[data-config-of=\"limited\"] pre.config");
        await Expect(config).ToContainTextAsync("\"authKey\": \"***\"");
        await Expect(config).ToContainTextAsync("\"limitValue\": 50");
        (await config.TextContentAsync()).Should().NotContain(DashboardFixture.LimitedKey);
        (await dashboard.Page.ContentAsync()).Should().NotContain(DashboardFixture.LimitedKey);

        await dashboard.AppRow("limited").Locator("button.app-name").ClickAsync();
        await Expect(dashboard.Page.Locator("tr[data-config-of=\"limited\"]")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task NarrowWindow_NoSidewaysScrollAndLabelledCells()
    {
        await using var dashboard = await DashboardPage.OpenAsync(fixture.Browser, fixture.Admin, width: 380, height: 800);
        await dashboard.SignInAsync(DashboardFixture.Token, "limited");

        var overflow = await dashboard.Page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
        overflow.Should().BeLessThanOrEqualTo(0, "the page fits a 380 px window");
        await Expect(dashboard.Page.Locator("#apps thead")).ToBeHiddenAsync();
        var label = await dashboard.AppRow("limited").Locator(".col-limit")
            .EvaluateAsync<string>("e => getComputedStyle(e, '::before').content");
        label.Should().Be("\"Rate limit\"");
    }

    [Fact]
    public async Task Refresh_UpdatesInPlace_RowsAreNotReplaced()
    {
        await using var dashboard = await DashboardPage.OpenAsync(fixture.Browser, fixture.Admin);
        await dashboard.SignInAsync(DashboardFixture.Token, "limited");
        var page = dashboard.Page;
        await page.EvaluateAsync("() => { window.__row = document.querySelector('#apps-body tr[data-app=\"limited\"]'); window.__bar = window.__row.querySelector('.bar'); }");
        var before = await UsedAsync();

        await fixture.CallLimitedAsync(1);

        await Expect(dashboard.AppRow("limited").Locator(".usage")).ToHaveAttributeAsync("data-used", (before + 1).ToString(), new() { Timeout = DashboardPage.Deadline });
        (await page.EvaluateAsync<bool>("() => window.__row === document.querySelector('#apps-body tr[data-app=\"limited\"]') && window.__bar.isConnected"))
            .Should().BeTrue("a refresh updates the row's text and bar in place instead of rebuilding the table");
    }

    [Fact]
    public async Task Ui_WithoutToken_IsServedWithSecurityHeaders_ApiIsNot()
    {
        using var anonymous = new HttpClient { BaseAddress = fixture.Admin };

        using var page = await anonymous.GetAsync("/ui");
        using var script = await anonymous.GetAsync("/ui/dashboard.js");
        using var api = await anonymous.GetAsync("/apis");
        using var post = await anonymous.PostAsync("/ui", null);

        page.StatusCode.Should().Be(HttpStatusCode.OK);
        page.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        var csp = page.Headers.GetValues("Content-Security-Policy").Single();
        csp.Should().Contain("default-src 'none'").And.Contain("script-src 'self'").And.Contain("style-src 'self'")
            .And.Contain("connect-src 'self'").And.Contain("frame-ancestors 'none'").And.NotContain("unsafe-inline");
        page.Headers.GetValues("X-Content-Type-Options").Single().Should().Be("nosniff");
        page.Headers.GetValues("X-Frame-Options").Single().Should().Be("DENY");
        var html = await page.Content.ReadAsStringAsync();
        html.Should().NotContain(DashboardFixture.Token).And.NotContain("hello").And.NotContain(" style=");
        System.Text.RegularExpressions.Regex.Matches(html, "<script(?![^>]*\\bsrc=)").Should().BeEmpty("no inline script");
        script.StatusCode.Should().Be(HttpStatusCode.OK);
        script.Content.Headers.ContentType!.MediaType.Should().Be("text/javascript");
        (await script.Content.ReadAsStringAsync()).Should().NotContain("innerHTML =");
        api.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        post.StatusCode.Should().Be(HttpStatusCode.MethodNotAllowed);
    }

    [Fact]
    public async Task Screenshot_OfTheSignedInPage_IsAPng()
    {
        await using var dashboard = await DashboardPage.OpenAsync(fixture.Browser, fixture.Admin, width: 1280, height: 800);
        await dashboard.SignInAsync(DashboardFixture.Token, "limited");
        await Expect(dashboard.AppRow("limited").Locator(".usage")).ToHaveCountAsync(1);

        var png = await dashboard.Page.ScreenshotAsync(new PageScreenshotOptions { FullPage = true });

        png.Take(8).Should().Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A });
        if (Environment.GetEnvironmentVariable("VALET_DASHBOARD_SCREENSHOT") is { Length: > 0 } target) await File.WriteAllBytesAsync(target, png);
    }

    private async Task<long> UsedAsync()
    {
        using var response = await fixture.AdminClient.GetAsync("/apis/limited");
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return body.GetProperty("rateLimit").GetProperty("usage").GetProperty("used").GetInt64();
    }

    private static double ParsePercent(string width) =>
        width.Length == 0 ? 0 : double.Parse(width.TrimEnd('%'), System.Globalization.CultureInfo.InvariantCulture);
}
