using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Hosting;

/// <summary>
/// Slow clients: headers a byte at a time (slowloris) and a body a byte at a time. Kestrel's
/// header timeout and minimum body rate end them (shortened here to 1 s so the test takes
/// seconds; the daemon keeps Kestrel's 30 s and 240 bytes/s after 5 s); the slow client is
/// answered 408 or closed, nothing of its request reaches a backend whole, and another client is
/// served meanwhile. Each slow client is a bounded loop that stops as soon as the close is seen.
/// </summary>
[Trait("Category", "Reliability")]
public sealed class SlowClientTests
{
    private static readonly TimeSpan HeadersTimeout = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan BodyGrace = TimeSpan.FromSeconds(1.5);
    private static readonly TimeSpan BytePace = TimeSpan.FromMilliseconds(100);
    private const int MaxBytes = 80;

    private static async Task<(TestGateway Gateway, TestBackend Backend)> StartAsync()
    {
        var backend = await TestBackend.StartAsync(c => c.Response.WriteAsync("ok"));
        var buffered = TestGateway.App("buf", backend);
        buffered["maxBodyBytes"] = 1_000_000;
        var gateway = await TestGateway.StartAsync([TestGateway.App("svc", backend), buffered, TestGateway.App("other", backend)], limits: limits =>
        {
            limits.RequestHeadersTimeout = HeadersTimeout;
            limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 100, gracePeriod: BodyGrace);
        });
        return (gateway, backend);
    }

    /// <summary>Sends <paramref name="head"/>, then one byte of <paramref name="drip"/> per pace until the server closes; bounded.</summary>
    private static async Task<(RawConnection Connection, TimeSpan Elapsed, int Dripped)> DripAsync(TestGateway gateway, string head, char drip)
    {
        var connection = await RawConnection.OpenAsync(gateway.Address);
        (await connection.TrySendAsync(head)).Should().BeTrue();
        var clock = Stopwatch.StartNew();
        var dripped = 0;
        while (dripped < MaxBytes && !connection.Poll())
        {
            if (!await connection.TrySendAsync(Encoding.ASCII.GetBytes([drip]))) break;
            dripped++;
            if (dripped == 3)
            {
                using var meanwhile = await gateway.Client.GetAsync("/other/meanwhile");
                meanwhile.StatusCode.Should().Be(HttpStatusCode.OK, "another client is served while the slow one hangs on");
            }

            await Task.Delay(BytePace);
        }

        await connection.ReadUntilClosedAsync(TimeSpan.FromSeconds(5));
        return (connection, clock.Elapsed, dripped);
    }

    [Fact]
    public async Task Slowloris_HeadersOneByteAtATime_ClosedAfterTheHeaderTimeout_OthersServed()
    {
        var (gateway, backend) = await StartAsync();
        await using var _ = gateway;
        await using var __ = backend;

        var (slow, elapsed, dripped) = await DripAsync(gateway, "GET /svc/x HTTP/1.1\r\nHost: gateway\r\nX-Slow: ", 'a');
        await using var ___ = slow;

        slow.Closed.Should().BeTrue($"the header timeout ends the connection ({dripped} bytes dripped in {elapsed})");
        dripped.Should().BeLessThan(MaxBytes);
        elapsed.Should().BeGreaterThanOrEqualTo(HeadersTimeout - TimeSpan.FromMilliseconds(100), "the client had its timeout");
        if (slow.FirstStatus is { } status) status.Should().Be(408);
        backend.Seen.Select(s => s.RawTarget).Should().Equal("/meanwhile");
    }

    [Theory]
    [InlineData("svc", "Content-Length: 10000\r\n")]
    [InlineData("buf", "Content-Length: 10000\r\n")]
    [InlineData("buf", "Transfer-Encoding: chunked\r\n")]
    public async Task SlowBody_OneByteAtATime_408OrClosedAfterTheGrace_NothingReachesTheBackendWhole(string app, string framing)
    {
        var (gateway, backend) = await StartAsync();
        await using var _ = gateway;
        await using var __ = backend;
        var head = $"POST /{app}/upload HTTP/1.1\r\nHost: gateway\r\n{framing}\r\n" + (framing.Contains("chunked") ? "2710\r\n" : "");

        var (slow, elapsed, dripped) = await DripAsync(gateway, head, 'b');
        await using var ___ = slow;

        slow.Closed.Should().BeTrue($"the minimum body rate ends the request ({dripped} bytes dripped in {elapsed})");
        dripped.Should().BeLessThan(MaxBytes);
        elapsed.Should().BeGreaterThanOrEqualTo(BodyGrace - TimeSpan.FromMilliseconds(100), "the client had its grace period");
        if (slow.FirstStatus is { } status) status.Should().Be(408, slow.Received);
        backend.Seen.Select(s => s.RawTarget).Should().Equal(["/meanwhile"], "a body that never finished is never handed over whole");
    }
}
