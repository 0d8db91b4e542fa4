using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Valet.Core.Aggregation;
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
/// 0. observe: <see cref="RequestObserver"/> opens the request's record (request id, trace context)
///    and closes it when the answer is complete (metrics, consumer figures, access log, span);
/// 1. snapshot: read the current route table once;
/// 2. resolve: Host of a host-routed app, else a gRPC service's /pkg.Service/ prefix, else first
///    path segment = app (unknown → 404, escaping path → 400);
/// 2b. scheme: https "only" → 308 to HTTPS; https "off" over TLS → 421;
/// 3. CORS: preflights answered here, never authenticated or counted;
/// 4. methods: not allowed → 405 with Allow;
/// 5. auth: API key, basic, JWT or OIDC → 401 with WWW-Authenticate, 403 for a missing claim,
///    503 while an OIDC provider is unreachable;
/// 6. limit: the window's budget → 429 with Retry-After; the figures on every answer;
/// 7. size: body over maxBodyBytes → 413;
/// 8. serve: an aggregate fans out to its parts; a matching mock answers; else a matching route's
///    endpoints; an app without own endpoints and no match → 404;
/// 9. forward: to one endpoint, with passive health and one safe retry; a WebSocket opening is
///    tunnelled (policies above applied once, to the opening).
/// </summary>
public sealed class GatewayMiddleware(ConfigManager config, MockResponder mocks, UpstreamDispatcher upstream, WindowRateLimiter limiter,
    AggregateResponder aggregates, GatewayOptions options, RequestObserver observer)
{
    /// <summary>Retry-After of a 503 while an app's identity provider is unreachable.</summary>
    private const int AuthRetryAfterSeconds = 5;

    /// <summary>Serves one request, observed from arrival to the end of its answer (metrics, stats, access log, span).</summary>
    public Task InvokeAsync(HttpContext context)
    {
        var record = observer.Start(context);
        Task served;
        try
        {
            served = ServeRequestAsync(context, record);
        }
        catch (Exception e)
        {
            observer.Finish(context, record, e);
            throw;
        }

        if (!served.IsCompleted) return FinishAsync(context, record, served);
        observer.Finish(context, record, served.Exception?.GetBaseException());
        return served;
    }

    private async Task FinishAsync(HttpContext context, RequestRecord record, Task served)
    {
        try
        {
            await served.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            observer.Finish(context, record, e);
            throw;
        }

        observer.Finish(context, record);
    }

    private Task ServeRequestAsync(HttpContext context, RequestRecord record)
    {
        var requestId = record.RequestId;
        context.Response.Headers[RequestIds.HeaderName] = requestId;

        // 1. snapshot
        var table = config.Current;

        // 2. resolve: a host-routed app by Host, else the first path segment
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "/";
        switch (AppResolver.Resolve(table, context.Request.Host, raw, out var resolved, out var target))
        {
            case Resolution.NoApp:
                return ProblemWriter.WriteAsync(context, GatewayError.NoApp, null, requestId,
                    "the first path segment names the app: /{app}/...");
            case Resolution.Escapes:
                if (resolved is not null)
                {
                    record.App = observer.Traffic.App(resolved.Name);
                    record.AppName = resolved.Name;
                }

                return ProblemWriter.WriteAsync(context, GatewayError.BadPath, resolved?.Name, requestId,
                    "the path contains '.' or '..' segments (plain or percent-encoded) that would leave the app");
            case Resolution.UnknownApp:
                return ProblemWriter.WriteAsync(context, GatewayError.UnknownApp, null, requestId,
                    $"no app is named '{target.AppSegment}'");
        }

        var app = resolved!;
        record.App = observer.Traffic.App(app.Name);
        record.AppName = app.Name;
        if (app.RateLimit is { } appLimit) record.WindowSeconds = appLimit.Period;
        if (app.Config.Https != HttpsMode.Both && RequireScheme(context, app, requestId, raw) is { } refused) return refused;

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

        // 4. methods (an HTTP/2 WebSocket opening, CONNECT on the wire, counts as the GET it stands for)
        var method = request.Method;
        if (HttpMethods.IsConnect(method)) method = WebSocketRequest.PolicyMethod(context);
        if (!app.AllowsMethod(method))
        {
            return ProblemWriter.WriteAsync(context, GatewayError.MethodNotAllowed, app.Name, requestId,
                $"app '{app.Name}' does not accept {method}", allow: app.AllowHeader);
        }

        // 5. auth
        var gateway = new GatewayRequest(app, target, requestId, record) { Table = table };
        if (app.Authenticator is { } authenticator)
        {
            var auth = authenticator.AuthenticateAsync(request, context.RequestAborted);
            return auth.IsCompletedSuccessfully ? AfterAuth(context, gateway, auth.Result) : AfterAuthAsync(context, gateway, auth);
        }

        return LimitAndServe(context, gateway);
    }

    // 2b. scheme: https "only" redirects plain HTTP with 308; https "off" refuses requests over TLS.
    private Task? RequireScheme(HttpContext context, Routing.AppModel app, string requestId, string raw)
    {
        var request = context.Request;
        if (app.Config.Https == HttpsMode.Off && request.IsHttps)
        {
            return ProblemWriter.WriteAsync(context, GatewayError.HttpsRefused, app.Name, requestId, $"app '{app.Name}' is served over plain HTTP only");
        }

        if (app.Config.Https != HttpsMode.Only || request.IsHttps) return null;
        var port = options.HttpsPort is { } p and not 443 ? ":" + p.ToString(System.Globalization.CultureInfo.InvariantCulture) : "";
        return ProblemWriter.WriteAsync(context, GatewayError.HttpsRequired, app.Name, requestId, $"app '{app.Name}' is served over HTTPS only",
            location: $"https://{request.Host.Host}{port}{raw}");
    }

    private Task AfterAuth(HttpContext context, GatewayRequest gateway, AuthResult auth)
    {
        if (auth.Outcome == AuthOutcome.Authenticated)
        {
            gateway.Consumer = auth.Consumer;
            if (auth.Consumer is { } consumer)
            {
                gateway.Record.Consumer = gateway.Record.App.Consumer(consumer.Id);
                gateway.Record.ConsumerId = consumer.Id;
            }

            return LimitAndServe(context, gateway);
        }

        var app = gateway.App;
        if (auth.Outcome != AuthOutcome.Unavailable) context.Response.Headers.WWWAuthenticate = auth.Challenge ?? app.Authenticator!.Challenge;
        var error = auth.Outcome switch
        {
            AuthOutcome.Forbidden => GatewayError.Forbidden,
            AuthOutcome.Unavailable => GatewayError.AuthUnavailable,
            _ => GatewayError.Unauthorized,
        };
        return ProblemWriter.WriteAsync(context, error, app.Name, gateway.RequestId, auth.Detail,
            retryAfterSeconds: auth.Outcome == AuthOutcome.Unavailable ? AuthRetryAfterSeconds : 0);
    }

    private async Task AfterAuthAsync(HttpContext context, GatewayRequest gateway, ValueTask<AuthResult> pending) =>
        await AfterAuth(context, gateway, await pending.ConfigureAwait(false)).ConfigureAwait(false);

    private Task LimitAndServe(HttpContext context, GatewayRequest gateway)
    {
        var app = gateway.App;
        var requestId = gateway.RequestId;

        // 6. limit
        if (app.RateLimit is { } limit && !Admit(context, gateway, limit))
        {
            return ProblemWriter.WriteAsync(context, GatewayError.RateLimited, app.Name, requestId,
                $"the limit of app '{app.Name}' is spent for this window; retry after the time in Retry-After");
        }

        // 7. size (a WebSocket opening has no body: what follows it is the tunnel)
        if (app.MaxBodyBytes is { } max && WebSocketRequest.Detect(context) == WebSocketKind.None)
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
        var consumer = gateway.Consumer;
        var budget = limit.RequestFor(consumer?.Id, consumer?.LimitValue, context.Connection.RemoteIpAddress, out var policy);
        using var lease = (WindowLease)limiter.AttemptAcquire(budget);
        RateLimitHeaders.Write(context.Response.Headers, lease, policy, limit.App);
        var admitted = lease.IsAcquired;
        observer.Metrics.RateLimitDecision(gateway.Record.App, admitted);
        gateway.Record.RateLimited = !admitted;
        return admitted;
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
        if (app.Aggregate is { } aggregate) return aggregates.RespondAsync(context, gateway, aggregate);

        var method = context.Request.Method;
        if (HttpMethods.IsConnect(method)) method = WebSocketRequest.PolicyMethod(context);
        if (app.Mocks.Length > 0 && app.MatchMock(method, gateway.Target.PathOrRoot) is { } mock)
        {
            return mocks.RespondAsync(context, mock);
        }

        if (app.Routes.Length > 0 && app.MatchRoute(method, gateway.Target.PathOrRoot) is { } route)
        {
            gateway.Route = route;
            return upstream.DispatchAsync(context, gateway);
        }

        if (app.IsMockOnly)
        {
            return ProblemWriter.WriteAsync(context, GatewayError.NoMatchingMock, app.Name, gateway.RequestId,
                app.Routes.Length == 0
                    ? $"app '{app.Name}' has no mock for {method} {gateway.Target.PathOrRoot}"
                    : $"app '{app.Name}' has no route or mock for {method} {gateway.Target.PathOrRoot}");
        }

        return upstream.DispatchAsync(context, gateway);
    }
}
