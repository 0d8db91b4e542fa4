using System.Buffers;
using System.Buffers.Binary;

namespace Valet.Core.Forwarding.Http2;

/// <summary>
/// Writes frames to a connection, one writer at a time: the request body, the reading side's
/// acknowledgements and window updates, and a farewell share the connection, and a header block
/// (HEADERS + CONTINUATION) must not be split by any other frame (RFC 9113 §6.10). Every frame is
/// assembled in one pooled buffer and written with one call, then flushed.
/// </summary>
internal sealed class Http2FrameWriter : IDisposable
{
    /// <summary>The client connection preface (RFC 9113 §3.4), sent before the first SETTINGS.</summary>
    internal static ReadOnlySpan<byte> Preface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    private readonly Stream _target;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private byte[] _buffer;

    /// <param name="target">The connection's stream.</param>
    /// <param name="maxFrameSize">The largest payload this writer ever sends, whatever the peer allows.</param>
    public Http2FrameWriter(Stream target, int maxFrameSize)
    {
        _target = target;
        MaxFrameSize = maxFrameSize;
        _buffer = ArrayPool<byte>.Shared.Rent(Http2FrameHeader.Size + maxFrameSize + Preface.Length);
    }

    /// <summary>The largest payload this writer sends.</summary>
    public int MaxFrameSize { get; }

    /// <summary>The preface and this side's SETTINGS, as (identifier, value) pairs.</summary>
    public async ValueTask WritePrefaceAsync(ReadOnlyMemory<(Http2SettingId Id, uint Value)> settings, CancellationToken token)
    {
        await _lock.WaitAsync(token).ConfigureAwait(false);
        try
        {
            var span = _buffer.AsSpan();
            Preface.CopyTo(span);
            var at = Preface.Length;
            new Http2FrameHeader(settings.Length * 6, Http2FrameType.Settings, Http2FrameFlags.None, 0).Write(span[at..]);
            at += Http2FrameHeader.Size;
            foreach (var (id, value) in settings.Span)
            {
                BinaryPrimitives.WriteUInt16BigEndian(span[at..], (ushort)id);
                BinaryPrimitives.WriteUInt32BigEndian(span[(at + 2)..], value);
                at += 6;
            }

            await SendAsync(at, token).ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }
    }

    public ValueTask WriteSettingsAckAsync(CancellationToken token) =>
        WriteFrameAsync(new Http2FrameHeader(0, Http2FrameType.Settings, Http2FrameFlags.Ack, 0), default, token);

    /// <summary>A PING acknowledgement carrying the peer's eight octets back.</summary>
    public ValueTask WritePingAckAsync(ReadOnlyMemory<byte> opaque, CancellationToken token) =>
        WriteFrameAsync(new Http2FrameHeader(8, Http2FrameType.Ping, Http2FrameFlags.Ack, 0), opaque, token);

    /// <summary>WINDOW_UPDATE for the connection and, when <paramref name="streamId"/> is not 0, for that stream too, in one write.</summary>
    public async ValueTask WriteWindowUpdateAsync(int streamId, int increment, CancellationToken token)
    {
        await _lock.WaitAsync(token).ConfigureAwait(false);
        try
        {
            var span = _buffer.AsSpan();
            new Http2FrameHeader(4, Http2FrameType.WindowUpdate, Http2FrameFlags.None, 0).Write(span);
            BinaryPrimitives.WriteInt32BigEndian(span[Http2FrameHeader.Size..], increment);
            var length = Http2FrameHeader.Size + 4;
            if (streamId != 0)
            {
                new Http2FrameHeader(4, Http2FrameType.WindowUpdate, Http2FrameFlags.None, streamId).Write(span[length..]);
                BinaryPrimitives.WriteInt32BigEndian(span[(length + Http2FrameHeader.Size)..], increment);
                length *= 2;
            }

            await SendAsync(length, token).ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }
    }

    public async ValueTask WriteRstStreamAsync(int streamId, Http2ErrorCode code, CancellationToken token)
    {
        await _lock.WaitAsync(token).ConfigureAwait(false);
        try
        {
            new Http2FrameHeader(4, Http2FrameType.RstStream, Http2FrameFlags.None, streamId).Write(_buffer);
            BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(Http2FrameHeader.Size), (uint)code);
            await SendAsync(Http2FrameHeader.Size + 4, token).ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }
    }

    public async ValueTask WriteGoAwayAsync(int lastStreamId, Http2ErrorCode code, CancellationToken token)
    {
        await _lock.WaitAsync(token).ConfigureAwait(false);
        try
        {
            new Http2FrameHeader(8, Http2FrameType.GoAway, Http2FrameFlags.None, 0).Write(_buffer);
            BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(Http2FrameHeader.Size), lastStreamId);
            BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(Http2FrameHeader.Size + 4), (uint)code);
            await SendAsync(Http2FrameHeader.Size + 8, token).ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>
    /// One header block: a HEADERS frame, then CONTINUATION frames while the block is longer than
    /// <paramref name="maxFrameSize"/> (the smaller of the peer's limit and <see cref="MaxFrameSize"/>),
    /// all under one hold of the connection so no other frame comes between them.
    /// </summary>
    public async ValueTask WriteHeadersAsync(int streamId, ReadOnlyMemory<byte> block, bool endStream, int maxFrameSize, CancellationToken token)
    {
        maxFrameSize = Math.Min(maxFrameSize, MaxFrameSize);
        await _lock.WaitAsync(token).ConfigureAwait(false);
        try
        {
            var type = Http2FrameType.Headers;
            do
            {
                var length = Math.Min(block.Length, maxFrameSize);
                var flags = length == block.Length ? Http2FrameFlags.EndHeaders : Http2FrameFlags.None;
                // END_STREAM belongs on the HEADERS frame even when CONTINUATION frames follow it.
                if (endStream && type == Http2FrameType.Headers) flags |= Http2FrameFlags.EndStream;
                new Http2FrameHeader(length, type, flags, streamId).Write(_buffer);
                block.Span[..length].CopyTo(_buffer.AsSpan(Http2FrameHeader.Size));
                await SendAsync(Http2FrameHeader.Size + length, token).ConfigureAwait(false);
                block = block[length..];
                type = Http2FrameType.Continuation;
            }
            while (!block.IsEmpty);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>One DATA frame; the caller keeps <paramref name="data"/> within the flow-control windows and the frame size.</summary>
    public ValueTask WriteDataAsync(int streamId, ReadOnlyMemory<byte> data, bool endStream, CancellationToken token) =>
        WriteFrameAsync(new Http2FrameHeader(data.Length, Http2FrameType.Data, endStream ? Http2FrameFlags.EndStream : Http2FrameFlags.None, streamId), data, token);

    private async ValueTask WriteFrameAsync(Http2FrameHeader header, ReadOnlyMemory<byte> payload, CancellationToken token)
    {
        if (payload.Length > MaxFrameSize) throw new ArgumentOutOfRangeException(nameof(payload), $"a {payload.Length}-octet payload is over this writer's {MaxFrameSize}");
        await _lock.WaitAsync(token).ConfigureAwait(false);
        try
        {
            header.Write(_buffer);
            payload.Span.CopyTo(_buffer.AsSpan(Http2FrameHeader.Size));
            await SendAsync(Http2FrameHeader.Size + payload.Length, token).ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }
    }

    private async ValueTask SendAsync(int length, CancellationToken token)
    {
        await _target.WriteAsync(_buffer.AsMemory(0, length), token).ConfigureAwait(false);
        await _target.FlushAsync(token).ConfigureAwait(false);
    }

    /// <summary>Returns the buffer; only once no write can be in progress.</summary>
    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0) ArrayPool<byte>.Shared.Return(buffer);
        _lock.Dispose();
    }
}
