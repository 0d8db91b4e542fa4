namespace Valet.Peering.Protocol;

/// <summary>Names and values of the HTTP/2 headers gRPC uses (doc/PROTOCOL-HTTP2.md).</summary>
public static class GrpcHeaders
{
    public const string ContentType = "application/grpc";
    public const string Status = "grpc-status";
    public const string Message = "grpc-message";
    public const string Timeout = "grpc-timeout";
    public const string Encoding = "grpc-encoding";
    public const string AcceptEncoding = "grpc-accept-encoding";
    public const string Authorization = "authorization";
    public const string UserAgent = "valet-peering/1";

    /// <summary>Messages larger than this are refused with RESOURCE_EXHAUSTED (gRPC's default).</summary>
    public const int DefaultMaxMessageBytes = 4 * 1024 * 1024;

    /// <summary><c>application/grpc</c>, optionally with a <c>+proto</c> (or other) suffix or parameters.</summary>
    public static bool IsGrpcContentType(string? value)
    {
        if (string.IsNullOrEmpty(value) || !value.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase)) return false;
        if (value.Length == ContentType.Length) return true;
        var next = value[ContentType.Length];
        return next is '+' or ';';
    }
}
