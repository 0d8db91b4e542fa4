namespace Valet.Peering.Protocol;

/// <summary>One read from a gRPC message stream: a message, the end of the stream, or a protocol error.</summary>
public readonly record struct GrpcRead<T>(T? Message, GrpcStatus? Error, int Bytes)
    where T : class
{
    public static GrpcRead<T> End => default;

    public bool IsEnd => Message is null && Error is null;
}
