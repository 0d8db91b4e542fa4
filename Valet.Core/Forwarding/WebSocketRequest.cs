using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Valet.Core.Forwarding;

/// <summary>
/// Tells a WebSocket opening from an ordinary request. For a plain request this costs one feature
/// lookup (Kestrel serves it from a field) and one flag, or a method comparison on HTTP/2.
/// </summary>
public static class WebSocketRequest
{
    public const string Protocol = "websocket";

    public static WebSocketKind Detect(HttpContext context)
    {
        if (context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true })
        {
            return IsWebSocket(context.Request.Headers.Upgrade) ? WebSocketKind.Upgrade : WebSocketKind.None;
        }

        return HttpMethods.IsConnect(context.Request.Method)
            && context.Features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true } connect
            && string.Equals(connect.Protocol, Protocol, StringComparison.OrdinalIgnoreCase)
                ? WebSocketKind.ExtendedConnect
                : WebSocketKind.None;
    }

    /// <summary>
    /// The method the app's policies see: an HTTP/2 WebSocket opening is a <c>CONNECT</c> on the
    /// wire but the same request as HTTP/1.1's <c>GET</c>, so <c>methods</c>, routes and mocks treat it as GET.
    /// </summary>
    public static string PolicyMethod(HttpContext context)
    {
        var method = context.Request.Method;
        return HttpMethods.IsConnect(method) && Detect(context) == WebSocketKind.ExtendedConnect ? HttpMethods.Get : method;
    }

    private static bool IsWebSocket(Microsoft.Extensions.Primitives.StringValues upgrade)
    {
        foreach (var value in upgrade)
        {
            if (value is null) continue;
            foreach (var range in value.AsSpan().Split(','))
            {
                if (value.AsSpan()[range].Trim().Equals(Protocol, StringComparison.OrdinalIgnoreCase)) return true;
            }
        }

        return false;
    }
}
