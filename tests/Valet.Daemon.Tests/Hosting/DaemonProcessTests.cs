using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Hosting;

public sealed class DaemonProcessTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task Start_InvalidConf_Exits78WithEveryErrorOnStderr()
    {
        using var conf = new TempFolder();
        conf.Write("a.json", "{ \"name\": \"Bad Name\", \"endpoints\": [ { \"host\": \"h\", \"port\": 99999 } ] }");
        conf.Write("b.json", "{ \"name\": \"b\", \"endpoints\": [");
        await using var daemon = DaemonProcess.Start("--conf", conf.Path, "--port", "0", "--bind", "127.0.0.1");

        var code = await daemon.WaitForExitAsync();

        code.Should().Be(78);
        daemon.Stderr.Should().Contain("a.json:1:").And.Contain("$.name").And.Contain("$.endpoints[0].port")
            .And.Contain("b.json:1:").And.Contain("invalid JSON");
    }

    [Fact]
    public async Task Start_MissingConfFolder_Exits78()
    {
        await using var daemon = DaemonProcess.Start("--conf", "/nonexistent/valet-conf", "--port", "0");

        (await daemon.WaitForExitAsync()).Should().Be(78);
        daemon.Stderr.Should().Contain("/nonexistent/valet-conf").And.Contain("does not exist");
    }

    [Fact]
    public async Task Start_BadPortFlag_ExitsNonZeroWithMessage()
    {
        await using var daemon = DaemonProcess.Start("--port", "70000");

        (await daemon.WaitForExitAsync()).Should().NotBe(0);
        daemon.Stderr.Should().Contain("--port must be from 0 to 65535");
    }

    [Fact]
    public async Task Help_DocumentsEverySettingAndItsEnvironmentVariable()
    {
        await using var daemon = DaemonProcess.Start("--help");

        (await daemon.WaitForExitAsync()).Should().Be(0);
        daemon.Stdout.Should().Contain("--conf").And.Contain("VALET_CONF").And.Contain("--port").And.Contain("VALET_PORT")
            .And.Contain("--bind").And.Contain("VALET_BIND");
    }

    [Fact]
    public async Task Start_SettingsFromEnvironment_ServesSampleConf()
    {
        var env = new Dictionary<string, string>
        {
            ["VALET_CONF"] = Path.Combine(RepoRoot.Find(), "conf"),
            ["VALET_PORT"] = "0",
            ["VALET_BIND"] = "127.0.0.1",
        };
        await using var daemon = DaemonProcess.Start([], env);
        var address = await daemon.ListeningAsync();
        using var client = new HttpClient { BaseAddress = address };

        var body = await client.GetStringAsync("/hello/");

        body.Should().Contain("Hello from Valet");
        daemon.Stdout.Should().Contain("App hello -> mock only");
    }

    [Fact]
    public async Task Forward_200MBUploadAndDownload_DaemonMemoryGrowsLessThan50MB()
    {
        const long size = 200L * 1024 * 1024;
        await using var backend = await TestBackend.StartAsync(async c =>
        {
            if (HttpMethods.IsPost(c.Request.Method))
            {
                var buffer = new byte[64 * 1024];
                long total = 0;
                int n;
                while ((n = await c.Request.Body.ReadAsync(buffer)) > 0) total += n;
                await c.Response.WriteAsync(total.ToString());
                return;
            }

            c.Response.ContentLength = size;
            var chunk = new byte[64 * 1024];
            for (long sent = 0; sent < size; sent += chunk.Length) await c.Response.Body.WriteAsync(chunk);
        }, record: false);
        using var conf = new TempFolder();
        conf.Write("big.json", $"{{ \"name\": \"big\", \"endpoints\": [ {{ \"host\": \"127.0.0.1\", \"port\": {backend.Port} }} ] }}");
        await using var daemon = DaemonProcess.Start("--conf", conf.Path, "--port", "0", "--bind", "127.0.0.1");
        using var client = new HttpClient { BaseAddress = await daemon.ListeningAsync(), Timeout = TimeSpan.FromMinutes(3) };
        for (var i = 0; i < 20; i++) (await client.GetAsync("/big/warm", HttpCompletionOption.ResponseHeadersRead)).Dispose();
        var baseline = daemon.StatusKb("VmRSS");
        daemon.ResetPeakRss();

        var upload = new StreamContent(new GeneratedStream(size));
        upload.Headers.ContentLength = size;
        using var uploaded = await client.PostAsync("/big/up", upload);
        using var download = await client.GetAsync("/big/down", HttpCompletionOption.ResponseHeadersRead);
        long received = 0;
        await using (var stream = await download.Content.ReadAsStreamAsync())
        {
            var buffer = new byte[64 * 1024];
            int n;
            while ((n = await stream.ReadAsync(buffer)) > 0) received += n;
        }

        (await uploaded.Content.ReadAsStringAsync()).Should().Be(size.ToString());
        received.Should().Be(size);
        var growthMb = (daemon.StatusKb("VmHWM") - baseline) / 1024.0;
        output.WriteLine($"baseline RSS {baseline / 1024.0:F1} MB, peak growth during 2 x 200 MB: {growthMb:F1} MB");
        growthMb.Should().BeLessThan(50, $"peak RSS grew from {baseline / 1024} MB");
    }

    /// <summary>A read-only stream of <paramref name="length"/> bytes made on the fly.</summary>
    private sealed class GeneratedStream(long length) : Stream
    {
        private long _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - _position);
            buffer.AsSpan(offset, n).Fill((byte)'v');
            _position += n;
            return n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
