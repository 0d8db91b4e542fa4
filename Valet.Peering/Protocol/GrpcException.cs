namespace Valet.Peering.Protocol;

/// <summary>A call that ended with a status other than OK (the client side's view, like grpc-dotnet's RpcException).</summary>
public sealed class GrpcException(GrpcStatus status, Exception? inner = null) : Exception(status.ToString(), inner)
{
    public GrpcStatus Status { get; } = status;

    public GrpcStatusCode Code => Status.Code;
}
