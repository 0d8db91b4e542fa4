using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Valet.Core.Configuration;
using Valet.Core.Diagnostics;
using Valet.Core.Forwarding;
using Valet.Core.Mocking;
using Valet.Core.Routing;

namespace Valet.Core.Pipeline;

/// <summary>
/// The public request path, in order:
/// 1. snapshot: read the current route table once;
/// 2. resolve: first path segment = app (unknown → 404, escaping path → 400);
/// 3. methods: not allowed → 405 with Allow;
/// 4. serve: a matching mock answers; a mock-only app without a match → 404;
/// 5. forward: to one endpoint, with passive health and one safe retry.
/// </summary>
public sealed class GatewayMiddleware(ConfigManager config, MockResponder mocks, UpstreamDispatcher upstream)
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

        // 3. methods
        var method = context.Request.Method;
        if (!app.AllowsMethod(method))
        {
            return ProblemWriter.WriteAsync(context, GatewayError.MethodNotAllowed, app.Name, requestId,
                $"app '{app.Name}' does not accept {method}", allow: app.AllowHeader);
        }

        // 4. serve: mocks first
        if (app.Mocks.Length > 0 && app.MatchMock(method, target.PathOrRoot) is { } mock)
        {
            return mocks.RespondAsync(context, mock);
        }

        if (app.IsMockOnly)
        {
            return ProblemWriter.WriteAsync(context, GatewayError.NoMatchingMock, app.Name, requestId,
                $"app '{app.Name}' has no mock for {method} {target.PathOrRoot}");
        }

        // 5. forward
        return upstream.DispatchAsync(context, app, target, requestId);
    }
}
