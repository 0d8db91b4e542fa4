using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Valet.Core.Configuration;
using Valet.Core.Forwarding.Http2;
using Valet.Core.LoadBalancing;
using Valet.Core.Routing;

namespace Valet.Core.Tests.Forwarding.Http2;

/// <summary>Valet's HTTP/2 client against a server played frame by frame (<see cref="ScriptedPeer"/>).</summary>
public sealed class Http2ConnectionTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private static Http2TrailerClient Client() => new(null, TimeSpan.FromSeconds(10));

    private static RequestTrailers Trailers(HeaderDictionary fields)
    {
        var context = new DefaultHttpContext();
        context.Features.Set<IHttpRequestTrailersFeature>(new FixedRequestTrailers(fields));
        var app = new AppModel(new AppConfig { Name = "t", Endpoints = [new EndpointConfig { Host = "127.0.0.1", Port = 1, Protocol = EndpointProtocol.H2c }] },
            "t.json", "r", new AppState("t"));
        return new RequestTrailers(context.Request, app);
    }

    private static HttpRequestMessage Get(ScriptedPeer peer, string path = "/x") => new(HttpMethod.Get, $"http://127.0.0.1:{peer.Port}{path}");

    /// <summary>Reads the body the way the forwarder does, from the content's stream.</summary>
    private static async Task<byte[]> ReadBodyAsync(HttpResponseMessage response)
    {
        await using var body = await response.Content.ReadAsStreamAsync();
        using var copy = new MemoryStream();
        await body.CopyToAsync(copy);
        return copy.ToArray();
    }

    [Fact]
    public async Task Send_BodyAndTrailers_DataWithinWindowAndFrameSize_TrailersEndTheStream()
    {
        await using var peer = ScriptedPeer.Listen();
        var body = RandomNumberGenerator.GetBytes(200_000);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{peer.Port}/upload?x=1") { Content = new ByteArrayContent(body) };
        request.Headers.TryAddWithoutValidation("X-Request-Id", "r1");
        var trailers = Trailers(new HeaderDictionary
        {
            ["X-Checksum"] = "abc", ["Content-Length"] = "5", ["TE"] = "trailers", ["X-Valet-Consumer"] = "mallory",
        });

        var server = Task.Run(async () =>
        {
            var settings = ScriptedPeer.ParseSettings(await peer.AcceptAsync());
            settings.Should().Contain((Http2SettingId.EnablePush, 0u));
            await peer.WriteSettingsAsync((Http2SettingId.MaxFrameSize, 20000u));

            var (headers, fields, _) = await peer.ReadHeaderBlockAsync();
            headers.Has(Http2FrameFlags.EndStream).Should().BeFalse("a body follows");
            fields.Take(4).Should().Equal(
                new HeaderField(":method", "POST"), new HeaderField(":scheme", "http"), new HeaderField(":authority", $"127.0.0.1:{peer.Port}"),
                new HeaderField(":path", "/upload?x=1"));
            fields.Should().Contain(new HeaderField("x-request-id", "r1"));

            var received = new MemoryStream();
            var window = 65535;
            var acknowledged = false;
            var granted = false;
            var largest = 0;
            List<HeaderField> sentTrailers = [];
            while (true)
            {
                var (frame, payload) = await peer.ReadFrameAsync();
                if (frame.Type == Http2FrameType.Settings && frame.Has(Http2FrameFlags.Ack))
                {
                    acknowledged = true;
                }
                else if (frame.Type == Http2FrameType.Data)
                {
                    frame.Has(Http2FrameFlags.EndStream).Should().BeFalse("the trailers end the stream, not the last DATA frame");
                    frame.Length.Should().BeLessThanOrEqualTo(20000);
                    window -= frame.Length;
                    window.Should().BeGreaterThanOrEqualTo(0, "the client must not send past the flow-control window");
                    largest = Math.Max(largest, frame.Length);
                    received.Write(payload);
                }
                else if (frame.Type == Http2FrameType.Headers)
                {
                    frame.Flags.Should().Be(Http2FrameFlags.EndStream | Http2FrameFlags.EndHeaders);
                    peer.Decoder.Decode(payload, sentTrailers);
                    break;
                }

                // Only once the window is used up, and the larger frame size acknowledged, does it open: the client must wait.
                if (window == 0 && acknowledged && !granted)
                {
                    await peer.WriteWindowUpdateAsync(0, 1 << 20);
                    await peer.WriteWindowUpdateAsync(1, 1 << 20);
                    window += 1 << 20;
                    granted = true;
                }
            }

            await peer.WriteHeadersAsync(1, false, new(":status", "200"), new("content-type", "text/plain"));
            await peer.WriteFrameAsync(Http2FrameType.Data, Http2FrameFlags.None, 1, "ok"u8.ToArray());
            await peer.WriteHeadersAsync(1, true, new HeaderField("x-done", "yes"));
            return (received.ToArray(), sentTrailers, largest);
        });

        await using var connection = await Client().SendAsync(request, trailers, default);
        var response = connection.Response!;
        var text = await response.Content.ReadAsStringAsync();
        var (seenBody, seenTrailers, largestFrame) = await server.WaitAsync(Deadline);

        seenBody.Should().Equal(body);
        seenTrailers.Should().Equal(new HeaderField("x-checksum", "abc"));
        largestFrame.Should().Be(20000, "once acknowledged, the peer's SETTINGS_MAX_FRAME_SIZE is used");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Version.Should().Be(HttpVersion.Version20);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/plain");
        text.Should().Be("ok");
        response.TrailingHeaders.GetValues("x-done").Should().Equal("yes");
    }

    [Fact]
    public async Task Send_NoTrailersSent_EmptyDataFrameEndsTheStream()
    {
        await using var peer = ScriptedPeer.Listen();
        using var request = new HttpRequestMessage(HttpMethod.Put, $"http://127.0.0.1:{peer.Port}/") { Content = new ByteArrayContent("abc"u8.ToArray()) };
        var trailers = Trailers(new HeaderDictionary());
        var server = Task.Run(async () =>
        {
            await peer.AcceptAsync();
            await peer.WriteSettingsAsync();
            await peer.ReadHeaderBlockAsync();
            var frames = new List<(Http2FrameHeader Header, byte[] Payload)>();
            while (true)
            {
                var frame = await peer.ReadFrameAsync(Http2FrameType.Data);
                frames.Add(frame);
                if (frame.Header.Has(Http2FrameFlags.EndStream)) break;
            }

            await peer.WriteHeadersAsync(1, true, new HeaderField(":status", "204"));
            return frames;
        });

        await using var connection = await Client().SendAsync(request, trailers, default);
        var frames = await server.WaitAsync(Deadline);

        connection.Response!.StatusCode.Should().Be(HttpStatusCode.NoContent);
        frames.Select(f => (f.Header.Length, f.Header.Has(Http2FrameFlags.EndStream))).Should().Equal((3, false), (0, true));
    }

    [Fact]
    public async Task Send_HeaderBlockOverFrameSize_SplitIntoContinuationFrames()
    {
        await using var peer = ScriptedPeer.Listen();
        using var request = Get(peer);
        var big = new string('h', 40_000);
        request.Headers.TryAddWithoutValidation("X-Big", big);
        var server = Task.Run(async () =>
        {
            await peer.AcceptAsync();
            await peer.WriteSettingsAsync();
            var block = await peer.ReadHeaderBlockAsync();
            await peer.WriteHeadersAsync(1, true, new HeaderField(":status", "204"));
            return block;
        });

        await using var connection = await Client().SendAsync(request, null, default);
        var (headers, fields, frames) = await server.WaitAsync(Deadline);

        frames.Should().HaveCount(3);
        frames.Should().OnlyContain(f => f.Length <= 16384 && f.StreamId == 1);
        frames[0].Flags.Should().Be(Http2FrameFlags.EndStream, "END_STREAM sits on HEADERS, END_HEADERS on the last CONTINUATION");
        frames[1].Type.Should().Be(Http2FrameType.Continuation);
        frames[2].Flags.Should().Be(Http2FrameFlags.EndHeaders);
        headers.Type.Should().Be(Http2FrameType.Headers);
        fields.Should().Contain(new HeaderField("x-big", big));
    }

    [Fact]
    public async Task Response_InterimUnknownFramesPingPaddingPriority_HandledThenGoAwayOnDispose()
    {
        await using var peer = ScriptedPeer.Listen();
        using var request = Get(peer);
        var server = Task.Run(async () =>
        {
            await peer.AcceptAsync();
            await peer.WriteSettingsAsync(((Http2SettingId)0x7777, 1u));
            await peer.ReadHeaderBlockAsync();
            await peer.WriteFrameAsync((Http2FrameType)0xfa, Http2FrameFlags.None, 0, [1, 2, 3]);
            await peer.WriteFrameAsync((Http2FrameType)0xfb, (Http2FrameFlags)0xff, 1, [4]);
            await peer.WriteFrameAsync(Http2FrameType.Ping, Http2FrameFlags.None, 0, [1, 2, 3, 4, 5, 6, 7, 8]);
            var ping = await peer.ReadFrameAsync(Http2FrameType.Ping);
            await peer.WriteHeadersAsync(1, false, new HeaderField(":status", "100"));

            var block = ScriptedPeer.Block(new(":status", "200"), new("x-a", "1"));
            byte[] headers = [4, 0, 0, 0, 0, 16, .. block, 0, 0, 0, 0];
            await peer.WriteFrameAsync(Http2FrameType.Headers, Http2FrameFlags.EndHeaders | Http2FrameFlags.Padded | Http2FrameFlags.Priority, 1, headers);
            await peer.WriteFrameAsync(Http2FrameType.Priority, Http2FrameFlags.None, 1, [0, 0, 0, 0, 200]);
            await peer.WriteFrameAsync(Http2FrameType.Data, Http2FrameFlags.Padded, 1, [2, .. "hello"u8, 0, 0]);
            await peer.WriteFrameAsync(Http2FrameType.Data, Http2FrameFlags.EndStream, 1, "!"u8.ToArray());
            var goAway = await peer.ReadFrameAsync(Http2FrameType.GoAway);
            return (ping, goAway);
        });

        var connection = await Client().SendAsync(request, null, default);
        var response = connection.Response!;
        var text = await response.Content.ReadAsStringAsync();
        await connection.DisposeAsync();
        var (ping, goAway) = await server.WaitAsync(Deadline);

        ping.Header.Flags.Should().Be(Http2FrameFlags.Ack);
        ping.Payload.Should().Equal(1, 2, 3, 4, 5, 6, 7, 8);
        response.StatusCode.Should().Be(HttpStatusCode.OK, "the 100 was interim");
        response.Headers.GetValues("x-a").Should().Equal("1");
        text.Should().Be("hello!");
        BinaryPrimitives.ReadUInt32BigEndian(goAway.Payload.AsSpan(4)).Should().Be((uint)Http2ErrorCode.NoError);
    }

    [Fact]
    public async Task Response_LargeBody_CreditedBackWithWindowUpdates()
    {
        await using var peer = ScriptedPeer.Listen();
        using var request = Get(peer);
        var body = RandomNumberGenerator.GetBytes(1_500_000);
        var server = Task.Run(async () =>
        {
            await peer.AcceptAsync();
            await peer.WriteSettingsAsync();
            await peer.ReadHeaderBlockAsync();
            await peer.WriteHeadersAsync(1, false, new HeaderField(":status", "200"));
            long connection = 65535, stream = 65535;
            var updates = 0;
            var sent = 0;
            while (sent < body.Length)
            {
                var n = (int)Math.Min(Math.Min(16384, body.Length - sent), Math.Min(connection, stream));
                if (n == 0)
                {
                    // The window is used up: nothing more may be sent until the client credits it back.
                    var (frame, payload) = await peer.ReadFrameAsync(Http2FrameType.WindowUpdate);
                    var increment = BinaryPrimitives.ReadInt32BigEndian(payload);
                    if (frame.StreamId == 0) connection += increment;
                    else stream += increment;
                    updates++;
                    continue;
                }

                await peer.WriteFrameAsync(Http2FrameType.Data, Http2FrameFlags.None, 1, body[sent..(sent + n)]);
                sent += n;
                connection -= n;
                stream -= n;
            }

            await peer.WriteFrameAsync(Http2FrameType.Data, Http2FrameFlags.EndStream, 1);
            return updates;
        });

        await using var exchange = await Client().SendAsync(request, null, default);
        var received = await exchange.Response!.Content.ReadAsByteArrayAsync();
        var updates = await server.WaitAsync(Deadline);

        received.Should().Equal(body);
        updates.Should().BeGreaterThan(2 * (1_500_000 / 65535) - 2, "the connection and the stream are both credited as the body is read");
    }

    [Theory]
    [InlineData(0x2u, "*reset the stream (InternalError*")]
    [InlineData(0x7u, "*refused the stream*")]
    public async Task Response_ResetBeforeHeaders_HttpProtocolError(uint errorCode, string message)
    {
        var code = (Http2ErrorCode)errorCode;
        await using var peer = ScriptedPeer.Listen();
        using var request = Get(peer);
        var server = Task.Run(async () =>
        {
            await peer.AcceptAsync();
            await peer.WriteSettingsAsync();
            await peer.ReadHeaderBlockAsync();
            await peer.WriteRstStreamAsync(1, code);
        });

        var act = () => Client().SendAsync(request, null, default);

        (await act.Should().ThrowAsync<HttpRequestException>().WithMessage(message)).Which.HttpRequestError.Should().Be(HttpRequestError.HttpProtocolError);
        await server.WaitAsync(Deadline);
    }

    [Fact]
    public async Task Response_GoAwayBeforeTheStream_Refused()
    {
        await using var peer = ScriptedPeer.Listen();
        using var request = Get(peer);
        var server = Task.Run(async () =>
        {
            await peer.AcceptAsync();
            await peer.WriteSettingsAsync();
            await peer.WriteGoAwayAsync(0, Http2ErrorCode.NoError);
        });

        var act = () => Client().SendAsync(request, null, default);

        await act.Should().ThrowAsync<HttpRequestException>().WithMessage("*GOAWAY*without processing the request*");
        await server.WaitAsync(Deadline);
    }

    [Fact]
    public async Task Cancel_WhileWaitingForHeaders_RstStreamCancelThenClose()
    {
        await using var peer = ScriptedPeer.Listen();
        using var request = Get(peer);
        var headersSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var server = Task.Run(async () =>
        {
            await peer.AcceptAsync();
            await peer.WriteSettingsAsync();
            await peer.ReadHeaderBlockAsync();
            headersSeen.SetResult();
            var reset = await peer.ReadFrameAsync(Http2FrameType.RstStream);
            return (reset, closed: await peer.ReadUntilClosedAsync());
        });
        using var cancel = new CancellationTokenSource();

        var send = Client().SendAsync(request, null, cancel.Token);
        await headersSeen.Task.WaitAsync(Deadline);
        await cancel.CancelAsync();

        await FluentActions.Awaiting(() => send).Should().ThrowAsync<OperationCanceledException>();
        var (reset, closed) = await server.WaitAsync(Deadline);
        reset.Header.StreamId.Should().Be(1);
        BinaryPrimitives.ReadUInt32BigEndian(reset.Payload).Should().Be((uint)Http2ErrorCode.Cancel);
        closed.Should().BeTrue();
    }

    [Fact]
    public async Task Server_SpeaksHttp11_ClearError()
    {
        await using var peer = ScriptedPeer.Listen();
        using var request = Get(peer);
        var server = Task.Run(async () =>
        {
            await peer.AcceptAsync();
            await peer.WriteAsync("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"u8.ToArray());
        });

        var act = () => Client().SendAsync(request, null, default);

        await act.Should().ThrowAsync<HttpRequestException>().WithMessage("*did not answer with an HTTP/2 server preface*");
        await server.WaitAsync(Deadline);
    }

    [Fact]
    public async Task Response_DataPastTheWindow_FlowControlErrorAndBodyFails()
    {
        await using var peer = ScriptedPeer.Listen();
        using var request = Get(peer);
        var server = Task.Run(async () =>
        {
            await peer.AcceptAsync();
            await peer.WriteSettingsAsync();
            await peer.ReadHeaderBlockAsync();
            await peer.WriteHeadersAsync(1, false, new HeaderField(":status", "200"));
            for (var i = 0; i < 4; i++) await peer.WriteFrameAsync(Http2FrameType.Data, Http2FrameFlags.None, 1, new byte[16384]);
            return await peer.ReadFrameAsync(Http2FrameType.GoAway);
        });

        await using var connection = await Client().SendAsync(request, null, default);
        // The body is read only once the server is done, so no credit can open the window in between.
        var goAway = await server.WaitAsync(Deadline);
        var act = () => ReadBodyAsync(connection.Response!);

        BinaryPrimitives.ReadUInt32BigEndian(goAway.Payload.AsSpan(4)).Should().Be((uint)Http2ErrorCode.FlowControlError);
        await act.Should().ThrowAsync<IOException>().WithMessage("*window*");
    }

    [Fact]
    public async Task Response_BodyShorterThanContentLength_StreamErrorAndBodyFails()
    {
        await using var peer = ScriptedPeer.Listen();
        using var request = Get(peer);
        var server = Task.Run(async () =>
        {
            await peer.AcceptAsync();
            await peer.WriteSettingsAsync();
            await peer.ReadHeaderBlockAsync();
            await peer.WriteHeadersAsync(1, false, new(":status", "200"), new("content-length", "10"));
            await peer.WriteFrameAsync(Http2FrameType.Data, Http2FrameFlags.EndStream, 1, "hello"u8.ToArray());
            return await peer.ReadFrameAsync(Http2FrameType.RstStream);
        });

        await using var connection = await Client().SendAsync(request, null, default);
        var act = () => ReadBodyAsync(connection.Response!);

        await act.Should().ThrowAsync<IOException>().WithMessage("*5 octets where its content-length says 10*");
        var reset = await server.WaitAsync(Deadline);
        BinaryPrimitives.ReadUInt32BigEndian(reset.Payload).Should().Be((uint)Http2ErrorCode.ProtocolError);
    }

    [Fact]
    public async Task Response_UpperCaseHeaderName_Malformed()
    {
        await using var peer = ScriptedPeer.Listen();
        using var request = Get(peer);
        var server = Task.Run(async () =>
        {
            await peer.AcceptAsync();
            await peer.WriteSettingsAsync();
            await peer.ReadHeaderBlockAsync();
            // Raw literal: HPACK itself would carry it, HTTP/2 forbids it (RFC 9113 §8.2.1).
            byte[] block = [0x88, 0x00, 0x03, (byte)'X', (byte)'-', (byte)'a', 0x01, (byte)'1'];
            await peer.WriteFrameAsync(Http2FrameType.Headers, Http2FrameFlags.EndHeaders | Http2FrameFlags.EndStream, 1, block);
        });

        var act = () => Client().SendAsync(request, null, default);

        await act.Should().ThrowAsync<HttpRequestException>().WithMessage("*'X-a'*lower-case*");
        await server.WaitAsync(Deadline);
    }

    [Fact]
    public async Task Connect_NothingListening_ConnectionError()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/");

        var act = () => Client().SendAsync(request, null, default);

        (await act.Should().ThrowAsync<HttpRequestException>()).Which.HttpRequestError.Should().Be(HttpRequestError.ConnectionError);
    }

    [Fact]
    public void Trailers_Filtered_LikeRequestHeaders()
    {
        var trailers = Trailers(new HeaderDictionary
        {
            ["X-Checksum"] = "abc", ["Connection"] = "x", ["Trailer"] = "y", ["Host"] = "h", ["X-Valet-Consumer"] = "bob",
            ["X-Split"] = "a\r\nb: c", ["x-multi"] = new Microsoft.Extensions.Primitives.StringValues(["1", "2"]),
        });
        var fields = new List<HeaderField>();

        trailers.CopyTo(fields);

        fields.Should().Equal(new HeaderField("X-Checksum", "abc"), new HeaderField("x-multi", "1"), new HeaderField("x-multi", "2"));
    }

    [Fact]
    public void Trailers_BodyNotReadToItsEnd_None()
    {
        var context = new DefaultHttpContext();
        context.Features.Set<IHttpRequestTrailersFeature>(new FixedRequestTrailers(new HeaderDictionary { ["X-A"] = "1" }, available: false));
        var app = new AppModel(new AppConfig { Name = "t", Endpoints = [new EndpointConfig { Host = "a", Port = 1 }] }, "t.json", "r", new AppState("t"));
        var fields = new List<HeaderField>();

        new RequestTrailers(context.Request, app).CopyTo(fields);

        fields.Should().BeEmpty();
    }

    [Theory]
    [InlineData("X-Checksum", true)]
    [InlineData(null, false)]
    public void Announced_OnlyWithATrailerHeader(string? trailer, bool expected)
    {
        var context = new DefaultHttpContext();
        context.Features.Set<IHttpRequestTrailersFeature>(new FixedRequestTrailers(new HeaderDictionary()));
        if (trailer is not null) context.Request.Headers["Trailer"] = trailer;

        RequestTrailers.Announced(context.Request).Should().Be(expected);
    }

    [Fact]
    public void Announced_ConnectionWithoutTrailers_False()
    {
        var context = new DefaultHttpContext();
        context.Request.Headers["Trailer"] = "X-Checksum";

        RequestTrailers.Announced(context.Request).Should().BeFalse("no IHttpRequestTrailersFeature: the connection cannot carry trailers");
    }
}
