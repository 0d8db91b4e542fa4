using Microsoft.Playwright;

namespace Valet.Daemon.Tests.Ui;

/// <summary>
/// One browser tab on <c>/ui</c> in a fresh context (its own session storage), collecting console
/// errors and Content-Security-Policy violations. Waits are Playwright's: on DOM conditions, with a deadline.
/// </summary>
public sealed class DashboardPage : IAsyncDisposable
{
    /// <summary>How long a DOM condition may take: several 2 s refreshes.</summary>
    public static readonly float Deadline = 15_000;

    private readonly IBrowserContext _context;
    private readonly List<string> _problems = [];

    static DashboardPage() => Assertions.SetDefaultExpectTimeout(Deadline);

    private DashboardPage(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error") lock (_problems) _problems.Add(message.Text);
        };
        page.PageError += (_, error) =>
        {
            lock (_problems) _problems.Add("uncaught: " + error);
        };
        page.SetDefaultTimeout(Deadline);
    }

    public IPage Page { get; }

    /// <summary>Console errors and uncaught exceptions so far (a CSP violation is one).</summary>
    public IReadOnlyList<string> Problems
    {
        get { lock (_problems) return _problems.ToArray(); }
    }

    public static async Task<DashboardPage> OpenAsync(IBrowser browser, Uri admin, int width = 1400, int height = 900)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            ColorScheme = ColorScheme.Light,
        });
        var page = await context.NewPageAsync();
        var dashboard = new DashboardPage(context, page);
        await page.GotoAsync(new Uri(admin, "/ui").ToString());
        return dashboard;
    }

    /// <summary>Types the token into the form and sends it.</summary>
    public async Task EnterTokenAsync(string token)
    {
        var input = Page.Locator("#token");
        await Assertions.Expect(input).ToBeVisibleAsync(new() { Timeout = Deadline });
        await input.FillAsync(token);
        await input.PressAsync("Enter");
    }

    /// <summary>Signs in and waits for the apps table to show <paramref name="app"/>.</summary>
    public async Task SignInAsync(string token, string app = "hello")
    {
        await EnterTokenAsync(token);
        await Assertions.Expect(AppRow(app)).ToBeVisibleAsync(new() { Timeout = Deadline });
    }

    public ILocator AppRow(string app) => Page.Locator($"#apps-body tr[data-app=\"{app}\"]");

    public async ValueTask DisposeAsync() => await _context.DisposeAsync();
}
