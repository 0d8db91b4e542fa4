using System.Net;
using System.Net.Http.Headers;
using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Admin;

/// <summary>The admin API of the real daemon process: token rules at start-up, persistence across a restart, SIGHUP.</summary>
public sealed class AdminDaemonTests
{
    private const int Sighup = 1;
    private const string Token = "daemon-admin-token-7f3e9c";

    [Fact]
    [Trait("Category", "Reliability")]
    public async Task Start_AdminBeyondLoopbackWithoutToken_Exits78()
    {
        using var conf = new TempFolder();
        conf.Write("svc.json", JsonAnswers.MockApp("svc", "x"));
        await using var daemon = DaemonProcess.Start("--conf", conf.Path, "--port", "0", "--bind", "127.0.0.1", "--admin-bind", "0.0.0.0");

        (await daemon.WaitForExitAsync()).Should().Be(78);
        daemon.Stderr.Should().Contain("admin API would listen on 0.0.0.0 without a token").And.Contain("not starting");
    }

    [Fact]
    public async Task Start_AdminOnEveryInterfaceWithTokenFile_StartsAndRequiresTheToken()
    {
        using var conf = new TempFolder();
        conf.Write("svc.json", JsonAnswers.MockApp("svc", "x"));
        using var secrets = new TempFolder();
        var tokenFile = secrets.Write("admin-token", Token + "\n");
        await using var daemon = DaemonProcess.Start("--conf", conf.Path, "--port", "0", "--bind", "127.0.0.1",
            "--admin-bind", "*", "--admin-token-file", tokenFile);
        var admin = await daemon.AdminListeningAsync();
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{admin.Port}") };

        using var anonymous = await client.GetAsync("/apis");
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        using var authorized = await client.GetAsync("/apis");

        anonymous.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        authorized.StatusCode.Should().Be(HttpStatusCode.OK);
        daemon.Stdout.Should().Contain("bearer token required").And.NotContain(Token);
    }

    [Fact]
    public async Task Start_TokenFromEnvironment_Required()
    {
        using var conf = new TempFolder();
        conf.Write("svc.json", JsonAnswers.MockApp("svc", "x"));
        await using var daemon = DaemonProcess.Start(["--conf", conf.Path, "--port", "0", "--bind", "127.0.0.1"],
            new Dictionary<string, string> { ["VALET_ADMIN_TOKEN"] = Token });
        using var client = new HttpClient { BaseAddress = await daemon.AdminListeningAsync() };

        using var anonymous = await client.GetAsync("/health");
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        using var authorized = await client.GetAsync("/health");

        anonymous.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        authorized.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Put_ThenDaemonKilledAndRestarted_AppStillServed()
    {
        using var conf = new TempFolder();
        conf.Write("svc.json", JsonAnswers.MockApp("svc", "x"));
        await using (var first = DaemonProcess.Start("--conf", conf.Path, "--port", "0", "--bind", "127.0.0.1"))
        {
            using var admin = new HttpClient { BaseAddress = await first.AdminListeningAsync() };
            (await admin.PutAsync("/apis/added", JsonAnswers.Body(JsonAnswers.MockApp("added", "persisted")))).StatusCode.Should().Be(HttpStatusCode.Created);
            (await admin.DeleteAsync("/apis/svc")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        }

        // Disposing killed the first daemon (SIGKILL): nothing was flushed on the way out.
        await using var second = DaemonProcess.Start("--conf", conf.Path, "--port", "0", "--bind", "127.0.0.1");
        using var client = new HttpClient { BaseAddress = await second.ListeningAsync() };

        (await client.GetStringAsync("/added/")).Should().Be("persisted");
        (await client.GetAsync("/svc/")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        second.Stdout.Should().Contain("App added -> mock only");
    }

    [Fact]
    public async Task Sighup_ReloadsLikePostReload_LogsEachAppsResult()
    {
        using var conf = new TempFolder();
        conf.Write("same.json", JsonAnswers.MockApp("same", "same"));
        conf.Write("edited.json", JsonAnswers.MockApp("edited", "v1"));
        conf.Write("broken.json", JsonAnswers.MockApp("broken", "last good"));
        await using var daemon = DaemonProcess.Start("--conf", conf.Path, "--port", "0", "--bind", "127.0.0.1");
        using var client = new HttpClient { BaseAddress = await daemon.ListeningAsync() };
        using var admin = new HttpClient { BaseAddress = await daemon.AdminListeningAsync() };
        conf.Write("edited.json", JsonAnswers.MockApp("edited", "v2"));
        conf.Write("fresh.json", JsonAnswers.MockApp("fresh", "fresh"));
        conf.Write("broken.json", "{ \"name\": \"broken\", ");

        daemon.Signal(Sighup);
        await daemon.WaitForStdoutAsync("Reload (SIGHUP): failed: 1 unchanged, 1 added, 1 updated, 1 failed");
        await daemon.WaitForStdoutAsync("App edited updated (from edited.json)");
        await daemon.WaitForStdoutAsync("App fresh added (from fresh.json)");
        await daemon.WaitForStdoutAsync("App broken failed (from broken.json); its last good config keeps serving: broken.json:1:");

        (await client.GetStringAsync("/edited/")).Should().Be("v2");
        (await client.GetStringAsync("/fresh/")).Should().Be("fresh");
        (await client.GetStringAsync("/broken/")).Should().Be("last good");
        (await client.GetStringAsync("/same/")).Should().Be("same");
        var apps = await (await admin.GetAsync("/apis")).JsonAsync();
        apps.GetProperty("lastLoad").GetProperty("ok").GetBoolean().Should().BeFalse();

        // A second SIGHUP: the daemon is still there and reloads again.
        conf.Write("broken.json", JsonAnswers.MockApp("broken", "fixed"));
        daemon.Signal(Sighup);
        await daemon.WaitForStdoutAsync("App broken updated (from broken.json)");
        (await client.GetStringAsync("/broken/")).Should().Be("fixed");
    }

    [Fact]
    public async Task Help_DocumentsAdminSettingsAndCheck()
    {
        await using var daemon = DaemonProcess.Start("--help");

        (await daemon.WaitForExitAsync()).Should().Be(0);
        daemon.Stdout.Should().Contain("--admin-port").And.Contain("VALET_ADMIN_PORT").And.Contain("--admin-bind").And.Contain("VALET_ADMIN_BIND")
            .And.Contain("--admin-token").And.Contain("VALET_ADMIN_TOKEN").And.Contain("--admin-token-file").And.Contain("check");
    }
}
