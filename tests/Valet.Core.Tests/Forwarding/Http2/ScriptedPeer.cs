using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Valet.Core.Forwarding.Http2;

namespace Valet.Core.Tests.Forwarding.Http2;

/// <summary>
/// The server side of one HTTP/2 connection, played by a test frame by frame on a real socket, so
/// a test can send what Kestrel never would (unknown frames, padding, resets, bad windows).
/// Every read has a deadline: a client that fails to send what is due fails the test, it does not hang it.
/// </summary>
internal sealed class ScriptedPeer : IAsyncDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private readonly TcpListener _listener;
    private TcpClient? _client;
    private NetworkStream? _stream;
    private Http2FrameReader? _reader;

    private ScriptedPeer(TcpListener listener) => _listener = listener;

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The decoder for the client's header blocks (HEADERS and trailers share it).</summary>
    public HpackDecoder Decoder { get; } = new();

    public static ScriptedPeer Listen()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return new ScriptedPeer(listener);
    }

    /// <summary>Accepts the client, checks its preface and returns its SETTINGS payload.</summary>
    public async Task<byte[]> AcceptAsync(int maxFrameSize = 64 * 1024)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        _client = await _listener.AcceptTcpClientAsync(deadline.Token);
        _client.NoDelay = true;
        _stream = _client.GetStream();
        var preface = new byte[24];
        await _stream.ReadExactlyAsync(preface, deadline.Token);
        preface.Should().Equal(Http2FrameWriter.Preface.ToArray());
        _reader = new Http2FrameReader(_stream, maxFrameSize);
        var (header, payload) = await ReadFrameAsync();
        header.Type.Should().Be(Http2FrameType.Settings, "the client's preface ends with its SETTINGS");
        return payload;
    }

    public async Task<(Http2FrameHeader Header, byte[] Payload)> ReadFrameAsync()
    {
        using var deadline = new CancellationTokenSource(Deadline);
        if (!await _reader!.ReadAsync(deadline.Token)) throw new EndOfStreamException("the client closed the connection");
        return (_reader.Header, _reader.Payload.ToArray());
    }

    /// <summary>Reads until the client closes; false if the deadline passes first.</summary>
    public async Task<bool> ReadUntilClosedAsync(List<Http2FrameHeader>? seen = null)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        try
        {
            while (await _reader!.ReadAsync(deadline.Token)) seen?.Add(_reader.Header);
            return true;
        }
        catch (IOException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Reads frames up to the next one of <paramref name="type"/>, skipping SETTINGS acknowledgements and window updates.</summary>
    public async Task<(Http2FrameHeader Header, byte[] Payload)> ReadFrameAsync(Http2FrameType type, List<(Http2FrameHeader Header, byte[] Payload)>? skipped = null)
    {
        while (true)
        {
            var frame = await ReadFrameAsync();
            if (frame.Header.Type == type) return frame;
            skipped?.Add(frame);
        }
    }

    /// <summary>A header block: HEADERS and any CONTINUATION frames, decoded. Returns the HEADERS frame's header and the frames it took.</summary>
    public async Task<(Http2FrameHeader Headers, List<HeaderField> Fields, List<Http2FrameHeader> Frames)> ReadHeaderBlockAsync()
    {
        var (header, payload) = await ReadFrameAsync(Http2FrameType.Headers);
        var frames = new List<Http2FrameHeader> { header };
        var block = new List<byte>(payload);
        while (!frames[^1].Has(Http2FrameFlags.EndHeaders))
        {
            var (next, more) = await ReadFrameAsync();
            next.Type.Should().Be(Http2FrameType.Continuation);
            frames.Add(next);
            block.AddRange(more);
        }

        var fields = new List<HeaderField>();
        Decoder.Decode(block.ToArray(), fields);
        return (header, fields, frames);
    }

    public async Task WriteAsync(byte[] bytes)
    {
        await _stream!.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    public Task WriteFrameAsync(Http2FrameType type, Http2FrameFlags flags, int stream, byte[]? payload = null)
    {
        payload ??= [];
        var frame = new byte[9 + payload.Length];
        new Http2FrameHeader(payload.Length, type, flags, stream).Write(frame);
        payload.CopyTo(frame, 9);
        return WriteAsync(frame);
    }

    public Task WriteSettingsAsync(params (Http2SettingId Id, uint Value)[] settings)
    {
        var payload = new byte[settings.Length * 6];
        for (var i = 0; i < settings.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(i * 6), (ushort)settings[i].Id);
            BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(i * 6 + 2), settings[i].Value);
        }

        return WriteFrameAsync(Http2FrameType.Settings, Http2FrameFlags.None, 0, payload);
    }

    public Task WriteHeadersAsync(int stream, bool endStream, params HeaderField[] fields) =>
        WriteFrameAsync(Http2FrameType.Headers, Http2FrameFlags.EndHeaders | (endStream ? Http2FrameFlags.EndStream : Http2FrameFlags.None), stream, Block(fields));

    public Task WriteWindowUpdateAsync(int stream, int increment)
    {
        var payload = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(payload, increment);
        return WriteFrameAsync(Http2FrameType.WindowUpdate, Http2FrameFlags.None, stream, payload);
    }

    public Task WriteRstStreamAsync(int stream, Http2ErrorCode code)
    {
        var payload = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(payload, (uint)code);
        return WriteFrameAsync(Http2FrameType.RstStream, Http2FrameFlags.None, stream, payload);
    }

    public Task WriteGoAwayAsync(int lastStream, Http2ErrorCode code)
    {
        var payload = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(payload, lastStream);
        BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(4), (uint)code);
        return WriteFrameAsync(Http2FrameType.GoAway, Http2FrameFlags.None, 0, payload);
    }

    public static byte[] Block(params HeaderField[] fields)
    {
        var list = fields.ToList();
        var buffer = new byte[HpackEncoder.MaxLength(list)];
        return buffer[..HpackEncoder.Encode(list, buffer)];
    }

    public static (Http2SettingId Id, uint Value)[] ParseSettings(byte[] payload)
    {
        var settings = new (Http2SettingId, uint)[payload.Length / 6];
        for (var i = 0; i < settings.Length; i++)
        {
            settings[i] = ((Http2SettingId)BinaryPrimitives.ReadUInt16BigEndian(payload.AsSpan(i * 6)), BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(i * 6 + 2)));
        }

        return settings;
    }

    public ValueTask DisposeAsync()
    {
        _reader?.Dispose();
        _client?.Dispose();
        _listener.Stop();
        return ValueTask.CompletedTask;
    }
}
