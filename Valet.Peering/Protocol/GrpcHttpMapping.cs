using System.Net;

namespace Valet.Peering.Protocol;

/// <summary>What a client concludes when a call ends without <c>grpc-status</c> (doc/http-grpc-status-mapping.md).</summary>
public static class GrpcHttpMapping
{
    public static GrpcStatusCode FromHttpStatus(HttpStatusCode status) => (int)status switch
    {
        400 or 431 => GrpcStatusCode.Internal,
        401 => GrpcStatusCode.Unauthenticated,
        403 => GrpcStatusCode.PermissionDenied,
        404 => GrpcStatusCode.Unimplemented,
        429 or 502 or 503 or 504 => GrpcStatusCode.Unavailable,
        _ => GrpcStatusCode.Unknown,
    };

    /// <summary>An HTTP/2 RST_STREAM or GOAWAY error code (RFC 9113 section 7).</summary>
    public static GrpcStatusCode FromHttp2ErrorCode(long code) => code switch
    {
        0x7 => GrpcStatusCode.Unavailable,        // REFUSED_STREAM
        0x8 => GrpcStatusCode.Cancelled,          // CANCEL
        0xB => GrpcStatusCode.ResourceExhausted,  // ENHANCE_YOUR_CALM
        0xC => GrpcStatusCode.PermissionDenied,   // INADEQUATE_SECURITY
        _ => GrpcStatusCode.Internal,
    };

    /// <summary>RFC 9113 CANCEL.</summary>
    public const int Http2Cancel = 0x8;

    /// <summary>RFC 9113 INTERNAL_ERROR.</summary>
    public const int Http2InternalError = 0x2;
}
