using System.Net;
using Microsoft.AspNetCore.Http;
using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Hosting;

/// <summary>
/// Malformed and hostile HTTP/1.1, sent byte for byte on raw sockets. Each gets a clear refusal
/// (a 4xx, or 505 for an unknown HTTP version) and the connection is closed, or is served as the
/// harmless request it is; nothing reaches the backend that should not; and another client is
/// served while the hostile one is still connected. The path cases plain <c>..</c>, <c>%2e%2e</c>,
/// <c>..%2F</c> and <c>..%5C</c> are in Routing/RoutingTests; the ones here add what they do not cover.
/// </summary>
[Trait("Category", "Reliability")]
public sealed class MalformedHttpTests(MalformedHttpTests.Gateway fixture) : IClassFixture<MalformedHttpTests.Gateway>
{
    /// <summary>A gateway with a forwarding app (svc), a buffering one (buf: maxBodyBytes) and a second app (other), one backend.</summary>
    public sealed class Gateway : IAsyncLifetime
    {
        public TestBackend Backend { get; private set; } = null!;

        public TestGateway Valet { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Backend = await TestBackend.StartAsync(c => c.Response.WriteAsync("ok"));
            var buffered = TestGateway.App("buf", Backend);
            buffered["maxBodyBytes"] = 1_000_000;
            Valet = await TestGateway.StartAsync([TestGateway.App("svc", Backend), buffered, TestGateway.App("other", Backend)]);
        }

        public async Task DisposeAsync()
        {
            await Valet.DisposeAsync();
            await Backend.DisposeAsync();
        }
    }

    /// <summary>What a case may get back, and what of it may reach the backend (raw targets; none when not given).</summary>
    private sealed record Case(string Request, int[] Statuses, string[]? Reaches = null);

    private const string Host = "Host: gateway\r\n";

    private static readonly string Chunked = "POST /svc/x HTTP/1.1\r\n" + Host + "Transfer-Encoding: chunked\r\n\r\n";

    private static readonly Dictionary<string, Case> Cases = new()
    {
        // Request lines.
        ["request-line-garbage"] = new("GARBAGE\r\n\r\n", [400]),
        ["request-line-without-version"] = new("GET /svc/x\r\n" + Host + "\r\n", [400]),
        ["request-line-unknown-version"] = new("GET /svc/x HTTP/2.7\r\n" + Host + "\r\n", [400, 505]),
        ["request-line-bad-method-character"] = new("G(T /svc/x HTTP/1.1\r\n" + Host + "\r\n", [400]),
        ["request-line-two-spaces"] = new("GET  /svc/x HTTP/1.1\r\n" + Host + "\r\n", [400]),
        ["request-target-not-origin-form"] = new("GET svc/x HTTP/1.1\r\n" + Host + "\r\n", [400]),
        ["request-target-asterisk-for-get"] = new("GET * HTTP/1.1\r\n" + Host + "\r\n", [400, 405]),
        ["path-of-64-KiB"] = new("GET /svc/" + new string('a', 64 * 1024) + " HTTP/1.1\r\n" + Host + "\r\n", [414]),
        ["no-host-header"] = new("GET /svc/x HTTP/1.1\r\n\r\n", [400]),
        ["two-host-headers"] = new("GET /svc/x HTTP/1.1\r\n" + Host + "Host: other\r\n\r\n", [400]),

        // Header limits (Kestrel: 32 KiB of headers, 100 of them).
        ["header-of-40-KiB"] = new("GET /svc/x HTTP/1.1\r\n" + Host + "X-Big: " + new string('b', 40 * 1024) + "\r\n\r\n", [431]),
        ["101-headers"] = new("GET /svc/x HTTP/1.1\r\n" + Host + string.Concat(Enumerable.Range(0, 101).Select(i => $"X-H{i}: v\r\n")) + "\r\n", [431]),

        // Framing: smuggling attempts.
        ["content-length-and-chunked"] = new("POST /svc/x HTTP/1.1\r\n" + Host + "Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /svc/smuggled HTTP/1.1\r\n" + Host + "\r\n",
            [200, 400], Reaches: ["/x"]),
        ["chunked-and-content-length"] = new("POST /svc/x HTTP/1.1\r\n" + Host + "Transfer-Encoding: chunked\r\nContent-Length: 60\r\n\r\n0\r\n\r\nGET /svc/smuggled HTTP/1.1\r\n" + Host + "\r\n",
            [200, 400], Reaches: ["/x"]),
        ["two-different-content-lengths"] = new("POST /svc/x HTTP/1.1\r\n" + Host + "Content-Length: 3\r\nContent-Length: 40\r\n\r\nabc", [400]),
        ["content-length-not-a-number"] = new("POST /svc/x HTTP/1.1\r\n" + Host + "Content-Length: 3x\r\n\r\nabc", [400]),
        ["chunked-not-last-coding"] = new("POST /svc/x HTTP/1.1\r\n" + Host + "Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n", [400]),
        ["transfer-encoding-unknown"] = new("POST /svc/x HTTP/1.1\r\n" + Host + "Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n", [400]),
        ["space-before-colon"] = new("POST /svc/x HTTP/1.1\r\n" + Host + "Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n", [400]),
        ["h2c-upgrade-through-the-gateway"] = new("GET /svc/up HTTP/1.1\r\n" + Host + "Connection: Upgrade, HTTP2-Settings, close\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n",
            [200], Reaches: ["/up"]),

        // Chunk sizes, to the streaming app and to the buffering one.
        ["chunk-size-not-hex"] = new(Chunked + "zz\r\nhello\r\n0\r\n\r\n", [400]),
        ["chunk-size-negative"] = new(Chunked + "-5\r\nhello\r\n0\r\n\r\n", [400]),
        ["chunk-size-overflows"] = new(Chunked + "1000000000000000000\r\nhello\r\n0\r\n\r\n", [400]),
        ["chunk-without-crlf"] = new(Chunked + "5\r\nhelloXX0\r\n\r\n", [400]),
        ["chunk-size-not-hex-buffered"] = new(Chunked.Replace("/svc/", "/buf/", StringComparison.Ordinal) + "zz\r\nhello\r\n0\r\n\r\n", [400]),

        // Control characters.
        ["bare-cr-in-header-value"] = new("GET /svc/x HTTP/1.1\r\n" + Host + "X-A: a\rX-Injected: 1\r\n\r\n", [400]),
        ["obsolete-line-folding"] = new("GET /svc/x HTTP/1.1\r\n" + Host + "X-A: a\r\n folded\r\n\r\n", [400]),
        ["nul-in-header-value"] = new("GET /svc/x HTTP/1.1\r\n" + Host + "X-A: a\0b\r\n\r\n", [400]),
        ["nul-in-header-name"] = new("GET /svc/x HTTP/1.1\r\n" + Host + "X-\0A: b\r\n\r\n", [400]),
        ["nul-in-path"] = new("GET /svc/a\0b HTTP/1.1\r\n" + Host + "\r\n", [400]),

        // Targets.
        ["absolute-form"] = new("GET http://gateway/svc/x HTTP/1.1\r\n" + Host + "Connection: close\r\n\r\n", [404]),
        ["absolute-form-naming-another-host"] = new("GET http://evil.example/svc/x HTTP/1.1\r\n" + Host + "\r\n", [400]),
        ["authority-form-connect"] = new("CONNECT backend.internal:443 HTTP/1.1\r\nHost: backend.internal:443\r\nConnection: close\r\n\r\n", [400, 404, 405]),
        ["dot-dot-segments-with-encoded-slashes"] = new("GET /svc/..%2f..%2fother/x HTTP/1.1\r\n" + Host + "Connection: close\r\n\r\n", [400]),
        ["encoded-dot-dot-then-encoded-slash"] = new("GET /svc/%2e%2e%2fother HTTP/1.1\r\n" + Host + "Connection: close\r\n\r\n", [400]),
        ["backslash-dot-dot"] = new("GET /svc/..\\other HTTP/1.1\r\n" + Host + "Connection: close\r\n\r\n", [400]),
        ["encoded-slash-in-app-segment"] = new("GET /svc%2f..%2fother/x HTTP/1.1\r\n" + Host + "Connection: close\r\n\r\n", [404]),
        ["dot-dot-as-app-segment"] = new("GET /../other/x HTTP/1.1\r\n" + Host + "Connection: close\r\n\r\n", [404]),
        ["encoded-dot-dot-as-app-segment"] = new("GET /%2e%2e/other/x HTTP/1.1\r\n" + Host + "Connection: close\r\n\r\n", [404]),

        // Encodings that are not dot-segments once decoded: forwarded exactly as sent.
        ["double-encoded-dot-dot"] = new("GET /svc/%252e%252e/other HTTP/1.1\r\n" + Host + "Connection: close\r\n\r\n", [200], Reaches: ["/%252e%252e/other"]),
        ["overlong-utf8-dots"] = new("GET /svc/%c0%ae%c0%ae/other HTTP/1.1\r\n" + Host + "Connection: close\r\n\r\n", [200], Reaches: ["/%c0%ae%c0%ae/other"]),
        ["delete-character-in-path"] = new("GET /svc/a\u007fb HTTP/1.1\r\n" + Host + "Connection: close\r\n\r\n", [200], Reaches: ["/a%7Fb"]),

        // A '%' not followed by two hex digits is escaped as "%25" on the way (System.Uri), which an
        // endpoint decodes back to the "%zz" the client sent.
        ["invalid-percent-escape"] = new("GET /svc/%zz HTTP/1.1\r\n" + Host + "Connection: close\r\n\r\n", [200], Reaches: ["/%25zz"]),
    };

    public static TheoryData<string> CaseNames() => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task HostileRequest_RefusedOrHarmless_NothingElseReachesTheBackend_OthersServed(string name)
    {
        var test = Cases[name];
        var backend = fixture.Backend;
        var seenBefore = backend.Seen.Count;
        await using var hostile = await RawConnection.OpenAsync(fixture.Valet.Address);

        await hostile.TrySendAsync(test.Request);
        using (var meanwhile = await fixture.Valet.Client.GetAsync("/other/meanwhile"))
        {
            meanwhile.StatusCode.Should().Be(HttpStatusCode.OK, "another client is served while the hostile one is connected");
        }

        var closed = await hostile.ReadUntilClosedAsync(TimeSpan.FromSeconds(10));

        closed.Should().BeTrue("the connection is closed after the answer");
        hostile.FirstStatus.Should().BeOneOf(test.Statuses, hostile.Received.Split("\r\n")[0]);
        hostile.Answers.Should().Be(1, "the bytes held one request; nothing after it may be read as a second one");
        var reached = backend.Seen.Skip(seenBefore).Where(s => s.RawTarget != "/meanwhile").ToList();
        reached.Select(s => s.RawTarget).Should().BeSubsetOf(test.Reaches ?? [], "only what was sent as one valid request reaches the backend");
        reached.Should().HaveCountLessThanOrEqualTo(1);
        foreach (var seen in reached)
        {
            seen.Headers.Keys.Should().NotContain(["Upgrade", "HTTP2-Settings"], "hop-by-hop headers are not forwarded");
            (seen.Headers.ContainsKey("Content-Length") && seen.Headers.ContainsKey("Transfer-Encoding")).Should().BeFalse("the backend gets one framing");
        }
    }
}
