using Grpc.Health.V1;
using Valet.Peering.Protocol;

namespace Valet.Peering.Server;

/// <summary><c>grpc.health.v1.Health/Check</c>: SERVING once the node is ready (caught up with its peers or done waiting).</summary>
public sealed class HealthService(Func<bool> isReady)
{
    public const string CheckMethod = "/grpc.health.v1.Health/Check";
    public const string WatchMethod = "/grpc.health.v1.Health/Watch";

    /// <summary>Service names this node answers for ("" is the node as a whole).</summary>
    private static readonly string[] Services = ["", "valet.peering.v1.Peering"];

    public async Task CheckAsync(GrpcServerCall call)
    {
        var (request, error) = await call.ReadUnaryAsync(HealthCheckRequest.Parser).ConfigureAwait(false);
        if (request is null)
        {
            await call.FinishAsync(error!.Value).ConfigureAwait(false);
            return;
        }

        if (Array.IndexOf(Services, request.Service) < 0)
        {
            await call.FinishAsync(new GrpcStatus(GrpcStatusCode.NotFound, $"unknown service '{request.Service}'")).ConfigureAwait(false);
            return;
        }

        var status = isReady() ? HealthCheckResponse.Types.ServingStatus.Serving : HealthCheckResponse.Types.ServingStatus.NotServing;
        await call.WriteAsync(new HealthCheckResponse { Status = status }).ConfigureAwait(false);
        await call.FinishAsync(GrpcStatus.Ok).ConfigureAwait(false);
    }
}
