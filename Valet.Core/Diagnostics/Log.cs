using Microsoft.Extensions.Logging;

namespace Valet.Core.Diagnostics;

/// <summary>Source-generated log messages of the request path.</summary>
internal static partial class Log
{
    [LoggerMessage(1001, LogLevel.Warning, "App {App}: endpoint {Endpoint} unreachable, cooling down for {CooldownSeconds}s (request {RequestId})")]
    public static partial void EndpointUnreachable(ILogger logger, string app, string endpoint, double cooldownSeconds, string requestId, Exception? exception);

    [LoggerMessage(1002, LogLevel.Warning, "App {App}: endpoint {Endpoint} sent no response within {TimeoutSeconds}s (request {RequestId})")]
    public static partial void EndpointTimeout(ILogger logger, string app, string endpoint, double timeoutSeconds, string requestId);

    [LoggerMessage(1003, LogLevel.Warning, "App {App}: endpoint {Endpoint} failed (request {RequestId})")]
    public static partial void EndpointFailed(ILogger logger, string app, string endpoint, string requestId, Exception? exception);

    [LoggerMessage(1004, LogLevel.Information, "App {App}: retrying request {RequestId} on {Endpoint} after a connect failure")]
    public static partial void Retrying(ILogger logger, string app, string endpoint, string requestId);

    [LoggerMessage(1005, LogLevel.Warning, "App {App}: no healthy endpoint (request {RequestId})")]
    public static partial void NoHealthyEndpoint(ILogger logger, string app, string requestId);

    [LoggerMessage(1006, LogLevel.Information, "App {App}: WebSocket to {Endpoint} idle for {IdleSeconds}s, closed (request {RequestId})")]
    public static partial void WebSocketIdle(ILogger logger, string app, string endpoint, double idleSeconds, string requestId);

    [LoggerMessage(1007, LogLevel.Information,
        "App {App}: request trailers to the HTTP/2 endpoint {Endpoint} were dropped: the client did not announce them with a Trailer header (logged once per app)")]
    public static partial void RequestTrailersDropped(ILogger logger, string app, string endpoint);
}
