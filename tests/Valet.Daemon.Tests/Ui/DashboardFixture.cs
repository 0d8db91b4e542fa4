using System.Net.Http.Headers;
using Microsoft.Playwright;
using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Ui;

/// <summary>
/// One headless Chromium (Debian's /usr/bin/chromium, driven by Playwright) and one real valet
/// daemon per test class. The daemon serves a copy of the sample conf folder (hello, dashboard)
/// plus <c>limited</c>, a rate-limited app with a key, and requires an admin token.
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    public const string Token = "dashboard-admin-token-4e1b7d";
    public const string LimitedKey = "limited-app-key-9c2f55";
    public const int Limit = 50;

    private HeadlessChromium? _chromium;

    public IBrowser Browser => _chromium!.Browser;

    public DaemonProcess Daemon { get; private set; } = null!;

    public TempFolder Conf { get; } = new();

    /// <summary>The admin listener, where <c>/ui</c> is.</summary>
    public Uri Admin { get; private set; } = null!;

    /// <summary>The public listener.</summary>
    public Uri Public { get; private set; } = null!;

    /// <summary>An admin API client with the token.</summary>
    public HttpClient AdminClient { get; private set; } = null!;

    public HttpClient PublicClient { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(RepoRoot.Find(), "conf"), "*.json"))
        {
            if (Path.GetFileName(file) == "app.schema.json") continue;
            File.Copy(file, Path.Combine(Conf.Path, Path.GetFileName(file)));
        }

        Conf.Write("limited.json", LimitedApp());
        Daemon = DaemonProcess.Start(["--conf", Conf.Path, "--port", "0", "--bind", "127.0.0.1"],
            new Dictionary<string, string> { ["VALET_ADMIN_TOKEN"] = Token });
        Public = await Daemon.ListeningAsync();
        Admin = await Daemon.AdminListeningAsync();
        AdminClient = new HttpClient { BaseAddress = Admin };
        AdminClient.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        PublicClient = new HttpClient { BaseAddress = Public };
        _chromium = await HeadlessChromium.LaunchAsync();
    }

    /// <summary>A rate-limited mock app with an API key; <c>/fail</c> answers 503.</summary>
    public static string LimitedApp() => $$"""
        {
          "name": "limited",
          "description": "A rate-limited sample with an API key",
          "authorize": true,
          "authKey": "{{LimitedKey}}",
          "rateLimit": true,
          "limitValue": {{Limit}},
          "limitPeriod": 3600,
          "mocks": [
            { "method": "GET", "path": "/", "body": "ok" },
            { "method": "GET", "path": "/fail", "status": 503, "body": "down" }
          ]
        }
        """;

    /// <summary>Sends <paramref name="count"/> GETs with the key to the limited app.</summary>
    public async Task CallLimitedAsync(int count, string path = "/limited/")
    {
        for (var i = 0; i < count; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Add("X-Valet-Auth", LimitedKey);
            using var response = await PublicClient.SendAsync(request);
        }
    }

    public async Task DisposeAsync()
    {
        if (_chromium is not null) await _chromium.DisposeAsync();
        AdminClient?.Dispose();
        PublicClient?.Dispose();
        if (Daemon is not null) await Daemon.DisposeAsync();
        Conf.Dispose();
    }
}
