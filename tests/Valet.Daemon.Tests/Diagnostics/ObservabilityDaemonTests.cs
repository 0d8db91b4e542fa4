using System.Net;
using System.Text.Json;
using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Diagnostics;

/// <summary>Issue 9 in the real daemon process: the flags and their environment variables, and /metrics of a running daemon.</summary>
public sealed class ObservabilityDaemonTests
{
    [Fact]
    public async Task Default_JsonAccessLogOnStdout_MetricsOfTheRunningDaemonParse()
    {
        using var conf = new TempFolder();
        conf.Write("svc.json", JsonAnswers.MockApp("svc", "hello"));
        await using var daemon = DaemonProcess.Start("--conf", conf.Path, "--port", "0", "--bind", "127.0.0.1");
        using var client = new HttpClient { BaseAddress = await daemon.ListeningAsync() };
        using var admin = new HttpClient { BaseAddress = await daemon.AdminListeningAsync() };

        (await client.GetAsync("/svc/")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.GetAsync("/missing/")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        await daemon.WaitForStdoutAsync("\"path\":\"/missing/\"");
        var samples = await PrometheusParser.ParseAsync(await admin.GetStringAsync("/metrics"));

        var line = daemon.Stdout.Split('\n').First(l => l.Contains("\"path\":\"/svc/\"", StringComparison.Ordinal));
        var entry = JsonDocument.Parse(line).RootElement;
        (entry.GetProperty("app").GetString(), entry.GetProperty("status").GetInt32(), entry.GetProperty("bytesOut").GetInt64()).Should().Be(("svc", 200, 5L));
        samples.Value("valet_requests_total", ("app", "svc"), ("status", "2xx")).Should().Be(1);
        samples.Value("valet_requests_total", ("app", "-"), ("status", "4xx")).Should().Be(1);
    }

    [Fact]
    public async Task AccessLogFromEnvironment_Clf_AndFlagOffWins()
    {
        using var conf = new TempFolder();
        conf.Write("svc.json", JsonAnswers.MockApp("svc", "hello"));
        var env = new Dictionary<string, string> { ["VALET_ACCESS_LOG"] = "clf" };
        await using (var clf = DaemonProcess.Start(["--conf", conf.Path, "--port", "0", "--bind", "127.0.0.1"], env))
        {
            using var client = new HttpClient { BaseAddress = await clf.ListeningAsync() };
            (await client.GetAsync("/svc/")).Dispose();
            await clf.WaitForStdoutAsync("\"GET /svc/ HTTP/1.1\" 200 5 app=svc");
        }

        await using var off = DaemonProcess.Start(["--conf", conf.Path, "--port", "0", "--bind", "127.0.0.1", "--access-log", "off"], env);
        using var offClient = new HttpClient { BaseAddress = await off.ListeningAsync() };
        using var offAdmin = new HttpClient { BaseAddress = await off.AdminListeningAsync() };
        (await offClient.GetAsync("/svc/")).Dispose();
        var metrics = await offAdmin.GetStringAsync("/metrics");

        metrics.Should().Contain("valet_requests_total{app=\"svc\",method=\"GET\",status=\"2xx\",consumer=\"-\"} 1");
        off.Stdout.Should().NotContain("/svc/").And.NotContain("\"requestId\"");
    }

    [Theory]
    [InlineData("--access-log", "yaml", "--access-log 'yaml' is not one of off, json, clf")]
    [InlineData("--otlp-endpoint", "collector:4318", "--otlp-endpoint 'collector:4318' is not an http(s) base URL")]
    public async Task BadValue_RefusedWithAClearError(string flag, string value, string message)
    {
        using var conf = new TempFolder();
        await using var daemon = DaemonProcess.Start("--conf", conf.Path, "--port", "0", flag, value);

        (await daemon.WaitForExitAsync()).Should().NotBe(0);
        (daemon.Stderr + daemon.Stdout).Should().Contain(message);
    }
}
