namespace Valet.Core.Forwarding.Http2;

/// <summary>
/// The endpoint broke HTTP/2 or HPACK: a malformed frame, a header block that does not decode, a
/// flow-control violation. <see cref="Code"/> is what Valet tells the endpoint before it closes;
/// <see cref="StreamOnly"/> says whether RST_STREAM suffices (a stream error) or GOAWAY is due.
/// </summary>
internal sealed class Http2ProtocolException(Http2ErrorCode code, string message, bool streamOnly = false) : Exception(message)
{
    public Http2ErrorCode Code { get; } = code;

    public bool StreamOnly { get; } = streamOnly;
}
