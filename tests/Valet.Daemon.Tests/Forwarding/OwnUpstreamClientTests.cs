using System.Net;
using Valet.Core.Pipeline;
using Valet.Daemon.Tests.Infrastructure;
using Answer = Valet.Daemon.Tests.Infrastructure.ScriptedHttp1Backend.Answer;

namespace Valet.Daemon.Tests.Forwarding;

/// <summary>
/// Valet's own HTTP/1.1 client (bodyless requests to plain-HTTP/1.1 endpoints): connection reuse,
/// the stale-connection retry, every way an answer's body can be delimited, interim answers, and
/// answers it must refuse, against endpoints scripted byte for byte. The rest of the suite runs on
/// it too (it is the default); the parity test shows both clients send the same request.
/// </summary>
public sealed class OwnUpstreamClientTests
{
    private static Dictionary<string, object?> App(int port) => new()
    {
        ["name"] = "svc",
        ["endpoints"] = new[] { new { host = "127.0.0.1", path = "", port } },
    };

    private static string Ok(string body, string extra = "") => $"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\n{extra}\r\n{body}";

    [Fact]
    public async Task KeepAlive_ThreeRequests_OneConnection()
    {
        await using var backend = ScriptedHttp1Backend.Start((i, _) => new Answer(Ok($"answer {i}")));
        await using var gateway = await TestGateway.StartAsync([App(backend.Port)]);

        for (var i = 0; i < 3; i++)
        {
            using var response = await gateway.Client.GetAsync("/svc/x");
            (await response.Content.ReadAsStringAsync()).Should().Be($"answer {i}");
        }

        backend.Connections.Should().Be(1);
    }

    [Fact]
    public async Task StaleConnection_EndpointClosedItWhileIdle_RequestSentAgainOnANewOne()
    {
        // The endpoint closes after every answer without saying so (no Connection: close).
        await using var backend = ScriptedHttp1Backend.Start((i, _) => new Answer(Ok($"answer {i}"), Close: true));
        await using var gateway = await TestGateway.StartAsync([App(backend.Port)]);

        for (var i = 0; i < 3; i++)
        {
            using var response = await gateway.Client.GetAsync("/svc/x");
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            (await response.Content.ReadAsStringAsync()).Should().Be($"answer {i}");
        }

        backend.Connections.Should().Be(3);
        backend.Heads.Should().HaveCount(3, "each request reached the endpoint once");
    }

    [Fact]
    public async Task ConnectionClose_NextRequestOpensANewConnection()
    {
        await using var backend = ScriptedHttp1Backend.Start((i, _) => new Answer(Ok("x", "Connection: close\r\n")));
        await using var gateway = await TestGateway.StartAsync([App(backend.Port)]);

        for (var i = 0; i < 2; i++)
        {
            using var response = await gateway.Client.GetAsync("/svc/x");
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            response.Headers.ConnectionClose.Should().NotBe(true, "the endpoint's Connection header is hop-by-hop");
        }

        backend.Connections.Should().Be(2);
    }


    [Theory]
    [InlineData("Connection: keep-alive, X-Hop\r\n")]
    [InlineData("Connection: keep-alive\r\nConnection: x-hop\r\n")]
    public async Task HeadersTheAnswersConnectionNames_NotPassedOn_ConnectionKept(string connection)
    {
        await using var backend = ScriptedHttp1Backend.Start((_, _) =>
            new Answer(Ok("x", connection + "X-Hop: secret\r\nKeep-Alive: timeout=5\r\nX-Kept: yes\r\n")));
        await using var gateway = await TestGateway.StartAsync([App(backend.Port)]);

        for (var i = 0; i < 2; i++)
        {
            using var response = await gateway.Client.GetAsync("/svc/x");
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            response.Headers.Contains("X-Hop").Should().BeFalse();
            response.Headers.Contains("Keep-Alive").Should().BeFalse();
            response.Headers.GetValues("X-Kept").Should().Equal("yes");
        }

        backend.Connections.Should().Be(1, "keep-alive with other tokens is still keep-alive");
    }
    [Fact]
    public async Task Chunked_WithExtensionsAndTrailers_BodyDecodedAndConnectionReused()
    {
        const string Chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 999\r\n\r\n"
                               + "5;ext=1\r\nhello\r\n1\r\n \r\n6\r\nworld!\r\n0\r\nX-Checksum: 1\r\n\r\n";
        await using var backend = ScriptedHttp1Backend.Start((_, _) => new Answer(Chunked));
        await using var gateway = await TestGateway.StartAsync([App(backend.Port)]);

        for (var i = 0; i < 2; i++)
        {
            using var response = await gateway.Client.GetAsync("/svc/x");
            (await response.Content.ReadAsStringAsync()).Should().Be("hello world!");
            response.Content.Headers.ContentLength.Should().NotBe(999, "a Content-Length beside a transfer coding is dropped");
        }

        backend.Connections.Should().Be(1);
    }

    [Fact]
    public async Task NoLength_BodyUntilClose_PassedWholeAndConnectionNotReused()
    {
        await using var backend = ScriptedHttp1Backend.Start((_, _) => new Answer("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nto the end", Close: true));
        await using var gateway = await TestGateway.StartAsync([App(backend.Port)]);

        for (var i = 0; i < 2; i++)
        {
            using var response = await gateway.Client.GetAsync("/svc/x");
            (await response.Content.ReadAsStringAsync()).Should().Be("to the end");
        }

        backend.Connections.Should().Be(2);
    }

    [Fact]
    public async Task LargeBody_CopiedWhole()
    {
        var body = new string('v', 300_000);
        await using var backend = ScriptedHttp1Backend.Start((_, _) => new Answer(Ok(body)));
        await using var gateway = await TestGateway.StartAsync([App(backend.Port)]);

        using var response = await gateway.Client.GetAsync("/svc/x");

        (await response.Content.ReadAsStringAsync()).Should().Be(body);
    }

    [Fact]
    public async Task InterimAnswers_Skipped_FinalOnePassed()
    {
        await using var backend = ScriptedHttp1Backend.Start((_, _) =>
            new Answer("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n" + Ok("final")));
        await using var gateway = await TestGateway.StartAsync([App(backend.Port)]);

        using var response = await gateway.Client.GetAsync("/svc/x");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Be("final");
    }

    [Fact]
    public async Task Head_LengthWithoutBody_AnsweredAndConnectionReused()
    {
        await using var backend = ScriptedHttp1Backend.Start((_, _) => new Answer("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n"));
        await using var gateway = await TestGateway.StartAsync([App(backend.Port)]);

        for (var i = 0; i < 2; i++)
        {
            using var response = await gateway.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/svc/x"));
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            response.Content.Headers.ContentLength.Should().Be(1234);
        }

        backend.Connections.Should().Be(1);
    }

    [Fact]
    public async Task RepeatedHeaders_EveryValueKept_ReasonPassed()
    {
        await using var backend = ScriptedHttp1Backend.Start((_, _) =>
            new Answer("HTTP/1.1 200 Fine Thanks\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nX-Caf: caf\u00e9\r\nKeep-Alive: timeout=5\r\nContent-Length: 0\r\n\r\n"));
        await using var gateway = await TestGateway.StartAsync([App(backend.Port)]);

        using var response = await gateway.Client.GetAsync("/svc/x");

        response.StatusCode.Should().Be(HttpStatusCode.OK, response.ToString());
        response.Headers.GetValues("Set-Cookie").Should().Equal("a=1", "b=2");
        response.ReasonPhrase.Should().Be("Fine Thanks");
        response.Headers.Contains("Keep-Alive").Should().BeFalse();
        response.Headers.NonValidated["X-Caf"].ToString().Should().Be("caf\u00e9", "the byte passes through as it came (Latin-1 both ways)");
    }

    [Theory]
    [InlineData("HTTP/1.1 20 OK\r\nContent-Length: 0\r\n\r\n")]
    [InlineData("HTTP/2 200 OK\r\nContent-Length: 0\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nBad Name: x\r\nContent-Length: 0\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\nContent-Length: 0\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nNoColon\r\nContent-Length: 0\r\n\r\n")]
    [InlineData("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n")]
    public async Task InvalidAnswerHead_BadGateway_NothingOfItPassed(string answer)
    {
        await using var backend = ScriptedHttp1Backend.Start((_, _) => new Answer(answer, Close: true));
        await using var gateway = await TestGateway.StartAsync([App(backend.Port)]);

        using var response = await gateway.Client.GetAsync("/svc/x");

        response.StatusCode.Should().Be(HttpStatusCode.BadGateway);
        response.Headers.Contains("X-A").Should().BeFalse();
    }

    [Fact]
    public async Task HeadTooLarge_BadGateway()
    {
        var huge = "HTTP/1.1 200 OK\r\n" + string.Concat(Enumerable.Range(0, 2000).Select(i => $"X-H{i}: {new string('h', 40)}\r\n")) + "Content-Length: 0\r\n\r\n";
        await using var backend = ScriptedHttp1Backend.Start((_, _) => new Answer(huge, Close: true));
        await using var gateway = await TestGateway.StartAsync([App(backend.Port)]);

        using var response = await gateway.Client.GetAsync("/svc/x");

        response.StatusCode.Should().Be(HttpStatusCode.BadGateway);
    }

    [Fact]
    public async Task ClosedBeforeAnswering_OnANewConnection_BadGateway()
    {
        await using var backend = ScriptedHttp1Backend.Start((_, _) => new Answer("", Close: true));
        await using var gateway = await TestGateway.StartAsync([App(backend.Port)]);

        using var response = await gateway.Client.GetAsync("/svc/x");

        response.StatusCode.Should().Be(HttpStatusCode.BadGateway);
        backend.Connections.Should().Be(1, "a new connection that failed is not retried (only a pooled one may be stale)");
    }

    [Fact]
    public async Task TruncatedBody_ClientConnectionAborted()
    {
        await using var backend = ScriptedHttp1Backend.Start((_, _) => new Answer("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly some", Close: true));
        await using var gateway = await TestGateway.StartAsync([App(backend.Port)]);

        var act = async () =>
        {
            using var response = await gateway.Client.GetAsync("/svc/x");
            await response.Content.ReadAsByteArrayAsync();
        };

        await act.Should().ThrowAsync<HttpRequestException>("the client must not take a cut body for a whole one");
    }

    [Fact]
    public async Task RefusedConnection_NextEndpointTried()
    {
        await using var backend = ScriptedHttp1Backend.Start((_, _) => new Answer(Ok("alive")));
        var app = new Dictionary<string, object?>
        {
            ["name"] = "svc",
            ["endpoints"] = new[] { new { host = "127.0.0.1", path = "", port = ClosedPort.Get() }, new { host = "127.0.0.1", path = "", port = backend.Port } },
        };
        await using var gateway = await TestGateway.StartAsync([app]);

        for (var i = 0; i < 2; i++)
        {
            using var response = await gateway.Client.GetAsync("/svc/x");
            (await response.Content.ReadAsStringAsync()).Should().Be("alive");
        }
    }

    [Fact]
    public async Task BothClients_SendTheSameRequestHead()
    {
        var heads = new List<string>();
        foreach (var client in new[] { UpstreamClient.Valet, UpstreamClient.Sockets })
        {
            await using var backend = ScriptedHttp1Backend.Start((_, _) => new Answer(Ok("ok")));
            var app = App(backend.Port);
            app["endpoints"] = new[] { new { host = "127.0.0.1", path = "/base", port = backend.Port } };
            await using var gateway = await TestGateway.StartAsync([app], upstreamClient: client);
            var raw = "GET /svc/a%20b/c%zz/caf%C3%A9?q=1&r=%2F HTTP/1.1\r\nHost: front.example\r\nX-Multi: 1\r\nX-Multi: 2\r\nCookie: a=1\r\n"
                      + "Connection: close\r\nProxy-Authorization: Basic x\r\nTE: trailers\r\nContent-Type: text/plain\r\nX-Valet-Internal: no\r\nX-Request-Id: fixed-id\r\n"
                      + "traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\r\n\r\n";
            var answer = await RawHttp.SendAsync(gateway.Address, raw);
            RawHttp.Status(answer).Should().Be(200);
            heads.Add(Normalize(backend.Heads.Single()).Replace($":{backend.Port}", ":PORT"));
        }

        heads[0].Should().Be(heads[1]);
        heads[0].Should().Contain("GET /base/a%20b/c%25zz/caf%C3%A9?q=1&r=%2F HTTP/1.1").And.Contain("x-multi: 1, 2").And.Contain("te: trailers")
            .And.NotContain("proxy-authorization").And.NotContain("connection").And.NotContain("x-valet-internal").And.NotContain("content-type");
    }

    /// <summary>The head's lines with names in lower case, sorted after the request line; the traceparent's span id and the per-request id vary.</summary>
    private static string Normalize(string head)
    {
        var lines = head.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var fields = lines.Skip(1).Select(l =>
        {
            var colon = l.IndexOf(':');
            var name = l[..colon].ToLowerInvariant();
            var value = l[(colon + 1)..].Trim();
            if (name == "traceparent") value = value[..36];
            return $"{name}: {value}";
        }).Order(StringComparer.Ordinal);
        return string.Join("\n", new[] { lines[0] }.Concat(fields));
    }
}
