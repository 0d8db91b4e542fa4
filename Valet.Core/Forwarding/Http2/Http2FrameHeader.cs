using System.Buffers.Binary;

namespace Valet.Core.Forwarding.Http2;

/// <summary>The nine octets in front of every frame (RFC 9113 §4.1): payload length, type, flags, stream.</summary>
internal readonly record struct Http2FrameHeader(int Length, Http2FrameType Type, Http2FrameFlags Flags, int StreamId)
{
    /// <summary>Octets of a frame header.</summary>
    public const int Size = 9;

    /// <summary>The largest payload any peer may allow (2^24 - 1).</summary>
    public const int MaxAllowedLength = (1 << 24) - 1;

    /// <summary>The payload limit every peer accepts, and the one Valet announces for itself.</summary>
    public const int DefaultMaxLength = 16384;

    public bool Has(Http2FrameFlags flag) => (Flags & flag) != 0;

    /// <summary>Reads a header; the reserved bit of the stream identifier is ignored, as the RFC says.</summary>
    public static Http2FrameHeader Read(ReadOnlySpan<byte> source) => new(
        (source[0] << 16) | (source[1] << 8) | source[2],
        (Http2FrameType)source[3],
        (Http2FrameFlags)source[4],
        BinaryPrimitives.ReadInt32BigEndian(source[5..]) & int.MaxValue);

    public void Write(Span<byte> destination)
    {
        destination[0] = (byte)(Length >> 16);
        destination[1] = (byte)(Length >> 8);
        destination[2] = (byte)Length;
        destination[3] = (byte)Type;
        destination[4] = (byte)Flags;
        BinaryPrimitives.WriteInt32BigEndian(destination[5..], StreamId & int.MaxValue);
    }
}
