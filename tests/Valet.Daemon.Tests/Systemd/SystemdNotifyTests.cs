using System.Net;
using Microsoft.AspNetCore.Http;
using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Systemd;

public sealed class SystemdNotifyTests
{
    private const int SIGHUP = 1;
    private const int SIGTERM = 15;

    [Fact]
    public async Task Daemon_StartSighupSigterm_NotifiesSystemdInOrder()
    {
        using var notify = new NotifySocket();
        using var conf = new TempFolder();
        conf.Write("hello.json", "{ \"name\": \"hello\", \"mocks\": [ { \"path\": \"/\" } ] }");
        var env = new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Path, ["WATCHDOG_USEC"] = "400000" };
        await using var daemon = DaemonProcess.Start(["--conf", conf.Path, "--port", "0", "--bind", "127.0.0.1", "--drain-delay", "0"], env);

        (await notify.NextAsync()).Should().Be("READY=1\nSTATUS=1 apps; no peers; last load ok: 1 added");
        await notify.WatchdogAsync();

        daemon.Signal(SIGHUP);
        (await notify.NextAsync()).Should().MatchRegex("^RELOADING=1\nMONOTONIC_USEC=[0-9]+$");
        (await notify.NextAsync()).Should().Be("READY=1\nSTATUS=1 apps; no peers; last load ok: 1 unchanged");

        daemon.Signal(SIGTERM);
        (await notify.NextAsync()).Should().StartWith("STOPPING=1\nSTATUS=draining");
        (await daemon.WaitForExitAsync()).Should().Be(0);
    }

    [Fact]
    public async Task Daemon_Sigterm_ReadyFailsAtOnceNewRequestsServedInFlightFinishes()
    {
        var inFlight = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var backend = await TestBackend.StartAsync(async c =>
        {
            if (c.Request.Path == "/slow")
            {
                inFlight.TrySetResult();
                await release.Task;
            }

            await c.Response.WriteAsync("done " + c.Request.Path);
        }, record: false);
        using var conf = new TempFolder();
        conf.Write("svc.json", $"{{ \"name\": \"svc\", \"endpoints\": [ {{ \"host\": \"127.0.0.1\", \"port\": {backend.Port} }} ] }}");
        await using var daemon = DaemonProcess.Start("--conf", conf.Path, "--port", "0", "--bind", "127.0.0.1", "--drain-delay", "30", "--shutdown-timeout", "30");
        using var client = new HttpClient { BaseAddress = await daemon.ListeningAsync() };
        using var admin = new HttpClient { BaseAddress = await daemon.AdminListeningAsync() };

        var slow = client.GetStringAsync("/svc/slow");
        await inFlight.Task.WaitAsync(TimeSpan.FromSeconds(10));
        daemon.Signal(SIGTERM);
        await daemon.WaitForStdoutAsync("not ready any more");

        (await admin.GetAsync("/ready")).StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        using var fresh = new HttpClient { BaseAddress = client.BaseAddress };
        (await fresh.GetStringAsync("/svc/new")).Should().Be("done /new", "new connections are still served while draining");

        daemon.Signal(SIGTERM); // a second signal ends the drain delay early
        release.SetResult();
        (await slow).Should().Be("done /slow");
        (await daemon.WaitForExitAsync()).Should().Be(0);
    }

    [Fact]
    public async Task Daemon_UnderJournald_LinesCarrySyslogPriorities()
    {
        using var conf = new TempFolder();
        conf.Write("hello.json", "{ \"name\": \"hello\", \"mocks\": [ { \"path\": \"/\" } ] }");
        await using var daemon = DaemonProcess.Start(["--conf", conf.Path, "--port", "0", "--bind", "127.0.0.1"], new Dictionary<string, string> { ["JOURNAL_STREAM"] = "8:12345" });

        await daemon.ListeningAsync();

        var lines = daemon.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().Contain(l => l.StartsWith("<6>Valet: App hello -> mock only"));
        lines.Should().OnlyContain(l => l.Length > 3 && l[0] == '<' && l[2] == '>', "every line is one event with a priority prefix");
        daemon.Stdout.Should().NotContain("\u001b[", "no colours");
    }
}
