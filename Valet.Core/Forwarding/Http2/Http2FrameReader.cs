using System.Buffers;

namespace Valet.Core.Forwarding.Http2;

/// <summary>
/// Reads whole frames from a connection, one at a time, through one pooled buffer: a frame's
/// payload is valid until the next read. A frame longer than the limit this side announced is a
/// FRAME_SIZE_ERROR before its payload is read; frame types are not judged here (the connection
/// ignores unknown ones).
/// </summary>
internal sealed class Http2FrameReader : IDisposable
{
    private readonly Stream _source;
    private readonly int _maxFrameSize;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private int _previous;

    /// <param name="source">The connection's stream (the TCP stream, or TLS over it).</param>
    /// <param name="maxFrameSize">The SETTINGS_MAX_FRAME_SIZE this side announced (16384 unless it said more).</param>
    public Http2FrameReader(Stream source, int maxFrameSize = Http2FrameHeader.DefaultMaxLength)
    {
        _source = source;
        _maxFrameSize = maxFrameSize;
        // Room for one whole frame plus a second header, so one socket read usually brings several frames.
        _buffer = ArrayPool<byte>.Shared.Rent(2 * (Http2FrameHeader.Size + maxFrameSize));
    }

    /// <summary>The header of the frame last read.</summary>
    public Http2FrameHeader Header { get; private set; }

    /// <summary>The payload of the frame last read, valid until the next <see cref="ReadAsync"/>.</summary>
    public ReadOnlyMemory<byte> Payload { get; private set; }

    /// <summary>
    /// Reads the next frame. False when the connection ended cleanly between two frames; an end
    /// inside a frame is an <see cref="IOException"/>, an oversized frame an <see cref="Http2ProtocolException"/>.
    /// </summary>
    public async ValueTask<bool> ReadAsync(CancellationToken token)
    {
        // The previous frame is consumed.
        _start += _previous;
        _previous = 0;
        Header = default;
        Payload = ReadOnlyMemory<byte>.Empty;

        if (!await FillAsync(Http2FrameHeader.Size, token).ConfigureAwait(false))
        {
            if (_end == _start) return false;
            throw new IOException($"the endpoint closed the connection inside a frame header ({_end - _start} of {Http2FrameHeader.Size} octets)");
        }

        var header = Http2FrameHeader.Read(_buffer.AsSpan(_start, Http2FrameHeader.Size));
        if (header.Length > _maxFrameSize)
        {
            throw new Http2ProtocolException(Http2ErrorCode.FrameSizeError,
                $"the endpoint sent a frame of type {(byte)header.Type} with a {header.Length}-octet payload, over the {_maxFrameSize} octets Valet accepts");
        }

        if (!await FillAsync(Http2FrameHeader.Size + header.Length, token).ConfigureAwait(false))
        {
            throw new IOException(
                $"the endpoint closed the connection inside a frame of type {(byte)header.Type} ({_end - _start - Http2FrameHeader.Size} of {header.Length} payload octets)");
        }

        Header = header;
        _previous = Http2FrameHeader.Size + header.Length;
        Payload = _buffer.AsMemory(_start + Http2FrameHeader.Size, header.Length);
        return true;
    }

    /// <summary>Makes <paramref name="count"/> octets from <c>_start</c> available; false when the stream ended first.</summary>
    private async ValueTask<bool> FillAsync(int count, CancellationToken token)
    {
        if (_end - _start >= count) return true;
        if (_start + count > _buffer.Length)
        {
            // Move the partial frame to the front; the buffer holds any frame up to the limit.
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        while (_end - _start < count)
        {
            var read = await _source.ReadAsync(_buffer.AsMemory(_end), token).ConfigureAwait(false);
            if (read == 0) return false;
            _end += read;
        }

        return true;
    }

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0) ArrayPool<byte>.Shared.Return(buffer);
    }
}
