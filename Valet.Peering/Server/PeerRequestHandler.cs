using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Valet.Peering.Membership;
using Valet.Peering.Protocol;

namespace Valet.Peering.Server;

/// <summary>
/// Every request on the peer listener, in order:
/// 1. <c>GET /peers</c>: the peer table as JSON (token required when one is set);
/// 2. not HTTP/2 → 426; not POST → 405; content-type not application/grpc → 415;
/// 3. Health/Check answers without a token (load balancers and orchestrators probe it);
/// 4. any other call without the cluster token → UNAUTHENTICATED, and nothing it sends is read;
/// 5. the Peering methods; anything else → UNIMPLEMENTED (Trailers-Only).
/// </summary>
public sealed class PeerRequestHandler(
    PeeringOptions options, TimeProvider time, PeerAuthenticator auth, HealthService health, PeeringService peering,
    ClusterMembership membership, PeeringMetrics metrics)
{
    public const string PeersPath = "/peers";

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        var path = request.Path.Value ?? "/";

        // 1. peer table
        if (HttpMethods.IsGet(request.Method) && path == PeersPath)
        {
            if (!auth.IsAuthorized(request))
            {
                metrics.AuthFailed();
                response.StatusCode = StatusCodes.Status401Unauthorized;
                response.Headers.WWWAuthenticate = "Bearer";
                return;
            }

            await WritePeersAsync(response, membership.Status()).ConfigureAwait(false);
            return;
        }

        // 2. transport rules
        if (!HttpProtocol.IsHttp2(request.Protocol))
        {
            response.StatusCode = StatusCodes.Status426UpgradeRequired;
            response.Headers.Upgrade = "h2c";
            response.Headers.Connection = "Upgrade";
            await response.WriteAsync("gRPC needs HTTP/2\n").ConfigureAwait(false);
            return;
        }

        if (!HttpMethods.IsPost(request.Method))
        {
            response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            response.Headers.Allow = "POST";
            return;
        }

        if (!GrpcHeaders.IsGrpcContentType(request.ContentType))
        {
            response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            response.Headers.Accept = GrpcHeaders.ContentType;
            return;
        }

        GrpcServerCall.DisableLimits(context);
        using var call = new GrpcServerCall(context, options.MaxMessageBytes, time);

        // 3. health
        if (path == HealthService.CheckMethod)
        {
            await health.CheckAsync(call).ConfigureAwait(false);
            return;
        }

        // 4. token
        var known = path is PeeringService.SyncMethod or PeeringService.PushMethod or PeeringService.SnapshotMethod;
        if (known && !auth.IsAuthorized(request))
        {
            metrics.AuthFailed();
            await call.FinishAsync(new GrpcStatus(GrpcStatusCode.Unauthenticated, "missing or wrong peer token (authorization: Bearer)")).ConfigureAwait(false);
            return;
        }

        // 5. methods
        switch (path)
        {
            case PeeringService.SyncMethod:
                await peering.SyncAsync(call).ConfigureAwait(false);
                break;
            case PeeringService.PushMethod:
                await peering.PushAsync(call).ConfigureAwait(false);
                break;
            case PeeringService.SnapshotMethod:
                await peering.SnapshotAsync(call).ConfigureAwait(false);
                break;
            default:
                await call.FinishAsync(new GrpcStatus(GrpcStatusCode.Unimplemented, $"unknown method {path}")).ConfigureAwait(false);
                break;
        }
    }

    private static async Task WritePeersAsync(HttpResponse response, IReadOnlyList<PeerStatus> peers)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            PeerStatusJson.WriteArray(json, peers);
            json.WriteEndObject();
        }

        await response.Body.WriteAsync(buffer.ToArray()).ConfigureAwait(false);
    }
}
