using Microsoft.AspNetCore.Http;
using Valet.Core.Configuration;
using Valet.Core.RateLimiting;
using Valet.Core.Diagnostics;
using Valet.Core.Diagnostics.Metrics;
using Valet.Core.Diagnostics.Traffic;
using Valet.Core.Routing;
using Valet.Daemon.Hosting;
using Valet.Peering;
using Valet.Peering.Membership;

namespace Valet.Daemon.Admin;

/// <summary>
/// The admin API, on its own listener. Every request, in order:
/// 1. request id;
/// 2. the dashboard's static files (<c>/ui</c>): served without a token, since they hold no data (see <see cref="DashboardAssets"/>);
/// 3. token: when one is set, a missing or wrong bearer token → 401;
/// 4. route: from the raw target (so <c>..</c> is seen as sent) → 404 when unknown;
/// 5. method: not one of the route's → 405 with Allow;
/// 6. name (for <c>/apis/{name}</c>): not a valid app name → 400;
/// 7. the route's work; changes of the conf folder go through <see cref="AppFileStore"/>.
/// </summary>
public sealed class AdminMiddleware(
    ConfigManager config, AppFileStore store, ReadinessState readiness, AdminAuthenticator authenticator,
    WindowRateLimiter limiter, TimeProvider time, ILogger<AdminMiddleware> logger, ValetOptions options, PrometheusExporter exporter,
    TrafficRegistry traffic, PeeringNode? peering = null)
{
    public Task InvokeAsync(HttpContext context)
    {
        // 1. request id
        var requestId = RequestIds.For(context);
        context.Response.Headers[RequestIds.HeaderName] = requestId;
        context.Response.Headers.XContentTypeOptions = "nosniff";
        var request = context.Request;
        var path = AdminTarget.RawPath(context);

        // 2. the dashboard: a static page whose data all comes from the routes below, with the token
        if (DashboardAssets.Owns(path))
        {
            if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)) return DashboardAssets.WriteAsync(context, path);
            return AdminProblemWriter.WriteAsync(context, AdminError.MethodNotAllowed,
                $"{path} does not accept {request.Method}; it accepts GET, HEAD", allow: "GET, HEAD");
        }

        // 3. token
        if (!authenticator.IsAuthorized(request))
        {
            var detail = request.Headers.Authorization.Count == 0
                ? "this admin API needs a token: send Authorization: Bearer <token>"
                : "the bearer token is not the admin token";
            AdminLog.Rejected(logger, request.Method, request.Path.Value ?? "", StatusCodes.Status401Unauthorized, detail);
            return AdminProblemWriter.WriteAsync(context, AdminError.Unauthorized, detail);
        }

        // 4. route
        var route = AdminTarget.Route(path, out var nameSegment, out var routeSegment);
        if (route == AdminRoute.Unknown)
        {
            return AdminProblemWriter.WriteAsync(context, AdminError.UnknownRoute,
                $"no admin route {path}; the routes are {AdminTarget.RouteList}");
        }

        // 5. method
        var method = request.Method;
        var allow = AdminTarget.Allow(route);
        if (!allow.Contains(method, StringComparer.Ordinal))
        {
            return AdminProblemWriter.WriteAsync(context, AdminError.MethodNotAllowed,
                $"{path} does not accept {method}; it accepts {string.Join(", ", allow)}", allow: string.Join(", ", allow));
        }

        // 6. name, 7. work
        switch (route)
        {
            case AdminRoute.Health:
                return AdminJson.WriteAsync(context, StatusCodes.Status200OK, json =>
                {
                    json.WriteStartObject();
                    json.WriteString("state", "alive");
                    json.WriteEndObject();
                });
            case AdminRoute.Ready:
                return ReadyAsync(context);
            case AdminRoute.Apis:
                return AdminJson.WriteAsync(context, StatusCodes.Status200OK,
                    json => AppsView.WriteList(json, config.Current, config.LastReport, limiter, time.GetUtcNow()));
            case AdminRoute.Reload:
                return ReloadAsync(context);
            case AdminRoute.Peers:
                return AdminJson.WriteAsync(context, StatusCodes.Status200OK, WritePeers);
            case AdminRoute.Metrics:
                return WriteMetricsAsync(context);
        }

        if (!AdminTarget.TryName(nameSegment, out var name, out var nameError))
        {
            return AdminProblemWriter.WriteAsync(context, AdminError.BadName, nameError);
        }

        if (route == AdminRoute.Consumers) return GetConsumersAsync(context, name);

        if (route == AdminRoute.AppRoute)
        {
            if (!AdminTarget.TryRouteId(routeSegment, out var routeId, out var routeError))
            {
                return AdminProblemWriter.WriteAsync(context, AdminError.BadName, routeError, app: name);
            }

            return method switch
            {
                "PUT" => PutRouteAsync(context, name, routeId),
                "DELETE" => DeleteRouteAsync(context, name, routeId),
                _ => GetRouteAsync(context, name, routeId),
            };
        }

        return method switch
        {
            "PUT" => PutAsync(context, name),
            "DELETE" => DeleteAsync(context, name),
            _ => GetAsync(context, name),
        };
    }

    private Task WriteMetricsAsync(HttpContext context)
    {
        var body = System.Text.Encoding.UTF8.GetBytes(exporter.Scrape());
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = PrometheusText.ContentType;
        response.Headers.CacheControl = "no-store";
        response.ContentLength = body.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(body).AsTask();
    }

    // A node without peers answers too (clustered: false, no peers), so tools need not know the setup.
    private void WritePeers(System.Text.Json.Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("nodeId", options.NodeId);
        json.WriteBoolean("clustered", peering is not null);
        PeerStatusJson.WriteArray(json, peering?.Peers() ?? []);
        json.WriteEndObject();
    }

    private Task ReadyAsync(HttpContext context)
    {
        var status = readiness.Status;
        if (status == ReadinessStatus.Ready)
        {
            return AdminJson.WriteAsync(context, StatusCodes.Status200OK, json =>
            {
                json.WriteStartObject();
                json.WriteString("state", "ready");
                json.WriteNumber("apps", config.Current.Count);
                json.WriteEndObject();
            });
        }

        var (state, detail) = status == ReadinessStatus.Draining
            ? ("draining", "the daemon is shutting down; in-flight requests are finishing")
            : ("starting", "the configuration is not loaded yet");
        return AdminProblemWriter.WriteAsync(context, AdminError.NotReady, detail, state: state);
    }

    private async Task ReloadAsync(HttpContext context)
    {
        var report = await store.ReloadAsync("POST /reload", context.RequestAborted).ConfigureAwait(false);
        await AdminJson.WriteAsync(context, StatusCodes.Status200OK, json => ReloadView.Write(json, report)).ConfigureAwait(false);
    }

    private Task GetAsync(HttpContext context, string name)
    {
        if (!config.Current.TryGetApp(name, out var app))
        {
            return AdminProblemWriter.WriteAsync(context, AdminError.UnknownApp, $"no app is named '{name}'", app: name);
        }

        return WriteAppAsync(context, StatusCodes.Status200OK, app, config.LastReport);
    }

    private Task GetConsumersAsync(HttpContext context, string name)
    {
        if (!config.Current.TryGetApp(name, out var app))
        {
            return AdminProblemWriter.WriteAsync(context, AdminError.UnknownApp, $"no app is named '{name}'", app: name);
        }

        var now = time.GetUtcNow();
        return AdminJson.WriteAsync(context, StatusCodes.Status200OK, json => ConsumersView.Write(json, app, traffic.Find(app.Name), limiter, now));
    }

    private async Task PutAsync(HttpContext context, string name)
    {
        var (body, tooLarge) = await AppFileBody.ReadAsync(context.Request, AppDirectoryLoader.MaxFileBytes, context.RequestAborted).ConfigureAwait(false);
        if (tooLarge)
        {
            await AdminProblemWriter.WriteAsync(context, AdminError.BodyTooLarge,
                $"an app file may have at most {AppDirectoryLoader.MaxFileBytes} bytes; nothing was written", app: name).ConfigureAwait(false);
            return;
        }

        if (AppFileBody.Check(body!, name) is { } bad)
        {
            await AdminProblemWriter.WriteAsync(context, bad.Error, bad.Detail, app: name).ConfigureAwait(false);
            return;
        }

        var condition = new WriteCondition(context.Request.Headers.IfMatch.ToString(), context.Request.Headers.IfNoneMatch.ToString());
        var result = await store.PutAsync(name, body!, condition, context.RequestAborted).ConfigureAwait(false);
        switch (result.Status)
        {
            case AppWriteStatus.Created or AppWriteStatus.Replaced when result.App is { } app:
                var created = result.Status == AppWriteStatus.Created;
                if (created) context.Response.Headers.Location = "/apis/" + name;
                await WriteAppAsync(context, created ? StatusCodes.Status201Created : StatusCodes.Status200OK, app, result.Report).ConfigureAwait(false);
                return;
            default:
                await WriteFailureAsync(context, name, result).ConfigureAwait(false);
                return;
        }
    }

    private async Task DeleteAsync(HttpContext context, string name)
    {
        var condition = new WriteCondition(context.Request.Headers.IfMatch.ToString(), context.Request.Headers.IfNoneMatch.ToString());
        var result = await store.DeleteAsync(name, condition, context.RequestAborted).ConfigureAwait(false);
        if (result.Status == AppWriteStatus.Deleted)
        {
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            context.Response.Headers.CacheControl = "no-store";
            return;
        }

        await WriteFailureAsync(context, name, result).ConfigureAwait(false);
    }

    private Task GetRouteAsync(HttpContext context, string name, string routeId)
    {
        if (!config.Current.TryGetApp(name, out var app))
        {
            return AdminProblemWriter.WriteAsync(context, AdminError.UnknownApp, $"no app is named '{name}'", app: name);
        }

        foreach (var route in app.Config.Routes)
        {
            if (route.Id != routeId) continue;
            context.Response.Headers.ETag = WriteCondition.ETagOf(app.Revision);
            return AdminJson.WriteAsync(context, StatusCodes.Status200OK, json => AppsView.WriteRoute(json, route));
        }

        return AdminProblemWriter.WriteAsync(context, AdminError.UnknownApp, $"app '{name}' has no route '{routeId}'", app: name);
    }

    private async Task PutRouteAsync(HttpContext context, string name, string routeId)
    {
        var (body, tooLarge) = await AppFileBody.ReadAsync(context.Request, AppDirectoryLoader.MaxFileBytes, context.RequestAborted).ConfigureAwait(false);
        if (tooLarge)
        {
            await AdminProblemWriter.WriteAsync(context, AdminError.BodyTooLarge,
                $"a route may have at most {AppDirectoryLoader.MaxFileBytes} bytes; nothing was written", app: name).ConfigureAwait(false);
            return;
        }

        if (AppFileBody.ReadRoute(body!, routeId, out var routeObject) is { } bad)
        {
            await AdminProblemWriter.WriteAsync(context, bad.Error, bad.Detail, app: name).ConfigureAwait(false);
            return;
        }

        var condition = new WriteCondition(context.Request.Headers.IfMatch.ToString(), context.Request.Headers.IfNoneMatch.ToString());
        var result = await store.PutRouteAsync(name, routeId, routeObject!, condition, context.RequestAborted).ConfigureAwait(false);
        if (result.Status is AppWriteStatus.Created or AppWriteStatus.Replaced && result.App is { } app)
        {
            var created = result.Status == AppWriteStatus.Created;
            if (created) context.Response.Headers.Location = $"/apis/{name}/routes/{routeId}";
            await WriteAppAsync(context, created ? StatusCodes.Status201Created : StatusCodes.Status200OK, app, result.Report).ConfigureAwait(false);
            return;
        }

        await WriteFailureAsync(context, name, result).ConfigureAwait(false);
    }

    private async Task DeleteRouteAsync(HttpContext context, string name, string routeId)
    {
        var condition = new WriteCondition(context.Request.Headers.IfMatch.ToString(), context.Request.Headers.IfNoneMatch.ToString());
        var result = await store.DeleteRouteAsync(name, routeId, condition, context.RequestAborted).ConfigureAwait(false);
        if (result.Status == AppWriteStatus.Deleted)
        {
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            context.Response.Headers.CacheControl = "no-store";
            return;
        }

        await WriteFailureAsync(context, name, result).ConfigureAwait(false);
    }

    private static Task WriteFailureAsync(HttpContext context, string name, AppWriteResult result)
    {
        var error = result.Status switch
        {
            AppWriteStatus.NotFound => AdminError.UnknownApp,
            AppWriteStatus.PreconditionFailed => AdminError.PreconditionFailed,
            AppWriteStatus.Conflict => AdminError.Conflict,
            AppWriteStatus.Invalid => AdminError.InvalidApp,
            _ => AdminError.WriteFailed,
        };
        return AdminProblemWriter.WriteAsync(context, error, result.Detail, app: name, errors: result.Errors);
    }

    private Task WriteAppAsync(HttpContext context, int status, AppModel app, LoadReport? report)
    {
        context.Response.Headers.ETag = WriteCondition.ETagOf(app.Revision);
        var now = time.GetUtcNow();
        return AdminJson.WriteAsync(context, status, json => AppsView.WriteApp(json, app, report, limiter, now, withConfig: true));
    }
}
