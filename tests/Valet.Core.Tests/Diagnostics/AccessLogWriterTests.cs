using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Valet.Core.Diagnostics.AccessLog;

namespace Valet.Core.Tests.Diagnostics;

public sealed class AccessLogWriterTests
{
    private static AccessLogEntry Entry(int i, string target = "/svc/x?token=t") => new(
        1_790_000_000_000 + i, "req-" + i, ActivityTraceId.CreateRandom(), IPAddress.Parse("::ffff:10.1.2.3"), "svc", "ali ce\"", "GET",
        target, AccessLogEntry.PathLengthOf(target), "HTTP/1.1", 200, 1.23456, "http://127.0.0.1:9000", 3, 4);

    /// <summary>A stream whose writes wait until the test opens the gate: an output that cannot keep up.</summary>
    private sealed class GatedStream : MemoryStream
    {
        public ManualResetEventSlim Gate { get; } = new(false);

        public int Writes;

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Gate.Wait();
            Interlocked.Increment(ref Writes);
            lock (this) base.Write(buffer);
        }

        public string Text()
        {
            lock (this) return Encoding.UTF8.GetString(ToArray());
        }
    }

    [Fact]
    public async Task StuckOutput_WritesNeverBlock_OverflowDroppedAndCounted()
    {
        var output = new GatedStream();
        var dropped = 0;
        var writer = new AccessLogWriter(AccessLogFormat.Json, output, () => Interlocked.Increment(ref dropped), capacity: 8);

        for (var i = 0; i < 1000; i++) writer.Write(Entry(i));
        var droppedWhileStuck = Volatile.Read(ref dropped);
        output.Gate.Set();
        await writer.DisposeAsync();

        droppedWhileStuck.Should().BeGreaterThan(900, "only the channel's 8 entries and the batch the writer holds wait for the output");
        writer.Dropped.Should().Be(dropped);
        (writer.Written + writer.Dropped).Should().Be(1000);
        output.Text().Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().HaveCount((int)writer.Written)
            .And.OnlyContain(l => JsonDocument.Parse(l, default).RootElement.GetProperty("app").GetString() == "svc");
    }

    [Fact]
    public async Task ManyLines_BatchedIntoWholeLineWritesOfAtMostPipeBuf()
    {
        var output = new GatedStream();
        var writer = new AccessLogWriter(AccessLogFormat.Clf, output, capacity: 4096);
        for (var i = 0; i < 2000; i++) writer.Write(Entry(i));
        output.Gate.Set();
        await writer.DisposeAsync();

        writer.Written.Should().Be(2000);
        output.Writes.Should().BeLessThan(2000 / 4, "lines are written in batches");
        var lines = output.Text().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount(2000);
        lines[0].Should().StartWith("10.1.2.3 - ali\\x20ce\\x22 [").And.Contain("] \"GET /svc/x HTTP/1.1\" 200 4 app=svc request_id=req-0 trace_id=")
            .And.EndWith(" duration_ms=1.235 upstream=http://127.0.0.1:9000 bytes_in=3").And.NotContain("token");
    }

    [Fact]
    public async Task Json_EscapesOddCharacters_OneValidObjectPerLine()
    {
        var output = new GatedStream();
        output.Gate.Set();
        var writer = new AccessLogWriter(AccessLogFormat.Json, output);
        writer.Write(Entry(1, "/svc/\"quoted\"\\back\u0001ctl/ünï?secret=1"));
        await writer.DisposeAsync();

        var line = output.Text().TrimEnd('\n');
        line.Should().NotContain("\n").And.NotContain("secret");
        var json = JsonDocument.Parse(line).RootElement;
        json.GetProperty("path").GetString().Should().Be("/svc/\"quoted\"\\back\u0001ctl/ünï");
        json.GetProperty("consumer").GetString().Should().Be("ali ce\"");
        json.GetProperty("remote").GetString().Should().Be("10.1.2.3");
        json.GetProperty("time").GetString().Should().Be(DateTimeOffset.FromUnixTimeMilliseconds(1_790_000_000_001).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ"));
        json.GetProperty("durationMs").GetDouble().Should().Be(1.235);
    }
}
