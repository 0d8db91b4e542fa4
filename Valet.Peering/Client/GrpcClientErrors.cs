using System.Net.Http;
using Valet.Peering.Protocol;

namespace Valet.Peering.Client;

/// <summary>Turns what HttpClient throws into a gRPC status (GRPC.md's reset table).</summary>
public static class GrpcClientErrors
{
    public static GrpcStatus Map(Exception exception, bool deadlinePassed)
    {
        if (deadlinePassed) return new GrpcStatus(GrpcStatusCode.DeadlineExceeded, "deadline passed");
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case GrpcException grpc:
                    return grpc.Status;
                case HttpProtocolException protocol:
                    return new GrpcStatus(GrpcHttpMapping.FromHttp2ErrorCode(protocol.ErrorCode), protocol.Message);
            }
        }

        return exception switch
        {
            OperationCanceledException => new GrpcStatus(GrpcStatusCode.Cancelled, "call cancelled"),
            HttpRequestException or IOException => new GrpcStatus(GrpcStatusCode.Unavailable, exception.Message),
            _ => new GrpcStatus(GrpcStatusCode.Internal, exception.Message),
        };
    }
}
