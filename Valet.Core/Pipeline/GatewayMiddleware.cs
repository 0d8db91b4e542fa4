using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Valet.Core.Auth;
using Valet.Core.Configuration;
using Valet.Core.Cors;
using Valet.Core.Diagnostics;
using Valet.Core.Forwarding;
using Valet.Core.Mocking;
using Valet.Core.RateLimiting;
using Valet.Core.Routing;

namespace Valet.Core.Pipeline;

/// <summary>
/// The public request path, in order:
/// 1. snapshot: read the current route table once;
/// 2. resolve: first path segment = app (unknown → 404, escaping path → 400);
/// 3. CORS: preflights answered here, never authenticated or counted;
/// 4. methods: not allowed → 405 with Allow;
/// 5. auth: API key → 401 with WWW-Authenticate;
/// 6. limit: the window's budget → 429 with Retry-After; the figures on every answer;
/// 7. size: body over maxBodyBytes → 413;
/// 8. serve: a matching mock answers; a mock-only app without a match → 404;
/// 9. forward: to one endpoint, with passive health and one safe retry.
/// </summary>
public sealed class GatewayMiddleware(ConfigManager config, MockResponder mocks, UpstreamDispatcher upstream, WindowRateLimiter limiter)
{
    public Task InvokeAsync(HttpContext context)
    {
        var requestId = RequestIds.For(context);
        context.Response.Headers[RequestIds.HeaderName] = requestId;

        // 1. snapshot
        var table = config.Current;

        // 2. resolve
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "/";
        switch (RequestTarget.Parse(raw, out var target))
        {
            case TargetKind.NoApp:
                return ProblemWriter.WriteAsync(context, GatewayError.NoApp, null, requestId,
                    "the first path segment names the app: /{app}/...");
            case TargetKind.Escapes:
                return ProblemWriter.WriteAsync(context, GatewayError.BadPath, null, requestId,
                    "the path contains '.' or '..' segments (plain or percent-encoded) that would leave the app");
        }

        if (!table.TryGetApp(target.AppSegment, out var app))
        {
            return ProblemWriter.WriteAsync(context, GatewayError.UnknownApp, null, requestId,
                $"no app is named '{target.AppSegment}'");
        }

        // 3. CORS
        var request = context.Request;
        if (app.Cors is { } cors)
        {
            if (CorsPolicy.IsPreflight(request))
            {
                return cors.TryAnswerPreflight(context)
                    ? Task.CompletedTask
                    : ProblemWriter.WriteAsync(context, GatewayError.CorsRejected, app.Name, requestId,
                        $"app '{app.Name}' does not allow this origin, method or these headers across origins");
            }

            cors.ApplyToResponse(context);
        }

        // 4. methods
        var method = request.Method;
        if (!app.AllowsMethod(method))
        {
            return ProblemWriter.WriteAsync(context, GatewayError.MethodNotAllowed, app.Name, requestId,
                $"app '{app.Name}' does not accept {method}", allow: app.AllowHeader);
        }

        // 5. auth
        var gateway = new GatewayRequest(app, target, requestId);
        if (app.Authenticator is { } authenticator)
        {
            var outcome = authenticator.Authenticate(request, out var consumer);
            if (outcome != AuthOutcome.Authenticated)
            {
                context.Response.Headers.WWWAuthenticate = authenticator.Challenge;
                return ProblemWriter.WriteAsync(context, GatewayError.Unauthorized, app.Name, requestId,
                    outcome == AuthOutcome.Missing
                        ? $"send the API key in the {authenticator.HeaderName} header"
                        : $"the key in {authenticator.HeaderName} is not valid for app '{app.Name}'");
            }

            gateway.Consumer = consumer;
        }

        // 6. limit
        if (app.RateLimit is { } limit && !Admit(context, gateway, limit))
        {
            return ProblemWriter.WriteAsync(context, GatewayError.RateLimited, app.Name, requestId,
                $"the limit of app '{app.Name}' is spent for this window; retry after the time in Retry-After");
        }

        // 7. size
        if (app.MaxBodyBytes is { } max)
        {
            switch (RequestBodyLimit.Inspect(context, max))
            {
                case RequestBodyLimit.Check.TooLarge:
                    return TooLarge(context, gateway, max);
                case RequestBodyLimit.Check.MustBuffer:
                    return BufferThenServeAsync(context, gateway, max);
            }
        }

        return ServeAsync(context, gateway);
    }

    private bool Admit(HttpContext context, GatewayRequest gateway, RateLimitModel limit)
    {
        var partition = "*";
        var value = limit.Limit;
        var policy = limit.PolicyHeader;
        switch (limit.By)
        {
            case LimitBy.Consumer when gateway.Consumer is { } consumer:
                partition = consumer.Id;
                if (consumer.LimitValue is { } own)
                {
                    value = own;
                    policy = RateLimitModel.Policy(limit.App, own, limit.Period);
                }

                break;
            case LimitBy.Ip:
                partition = ClientIp(context);
                break;
        }

        using var lease = (WindowLease)limiter.AttemptAcquire(new LimitRequest(limit.App, partition, value, limit.Period, limit.PartitionPolicy));
        RateLimitHeaders.Write(context.Response.Headers, lease, policy, limit.App);
        return lease.IsAcquired;
    }

    private static string ClientIp(HttpContext context)
    {
        var ip = context.Connection.RemoteIpAddress;
        if (ip is null) return "unknown";
        return (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToString();
    }

    private static Task TooLarge(HttpContext context, GatewayRequest gateway, long max) =>
        ProblemWriter.WriteAsync(context, GatewayError.PayloadTooLarge, gateway.App.Name, gateway.RequestId,
            $"the request body is larger than {max} bytes, the most app '{gateway.App.Name}' accepts");

    private async Task BufferThenServeAsync(HttpContext context, GatewayRequest gateway, long max)
    {
        if (!await RequestBodyLimit.BufferAsync(context, max).ConfigureAwait(false))
        {
            await TooLarge(context, gateway, max).ConfigureAwait(false);
            return;
        }

        await ServeAsync(context, gateway).ConfigureAwait(false);
    }

    // 8. serve, 9. forward
    private Task ServeAsync(HttpContext context, GatewayRequest gateway)
    {
        var app = gateway.App;
        var method = context.Request.Method;
        if (app.Mocks.Length > 0 && app.MatchMock(method, gateway.Target.PathOrRoot) is { } mock)
        {
            return mocks.RespondAsync(context, mock);
        }

        if (app.IsMockOnly)
        {
            return ProblemWriter.WriteAsync(context, GatewayError.NoMatchingMock, app.Name, gateway.RequestId,
                $"app '{app.Name}' has no mock for {method} {gateway.Target.PathOrRoot}");
        }

        return upstream.DispatchAsync(context, gateway);
    }
}
