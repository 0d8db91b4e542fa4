namespace Valet.Core.Forwarding.Http2;

/// <summary>Frame flags (RFC 9113 §6); which ones apply depends on the frame type.</summary>
[Flags]
internal enum Http2FrameFlags : byte
{
    None = 0x0,

    /// <summary>DATA, HEADERS: the sender's last frame on the stream.</summary>
    EndStream = 0x1,

    /// <summary>SETTINGS, PING: an acknowledgement (same bit as <see cref="EndStream"/>).</summary>
    Ack = 0x1,

    /// <summary>HEADERS, CONTINUATION: the header block is complete.</summary>
    EndHeaders = 0x4,

    /// <summary>DATA, HEADERS: a pad length byte comes first, padding last.</summary>
    Padded = 0x8,

    /// <summary>HEADERS: five bytes of (deprecated) priority information follow the pad length.</summary>
    Priority = 0x20,
}
