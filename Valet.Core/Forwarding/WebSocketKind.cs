namespace Valet.Core.Forwarding;

/// <summary>How a client asked to open a WebSocket, if it did.</summary>
public enum WebSocketKind
{
    /// <summary>An ordinary request.</summary>
    None,

    /// <summary>HTTP/1.1 <c>GET</c> with <c>Connection: Upgrade</c> and <c>Upgrade: websocket</c> (RFC 6455).</summary>
    Upgrade,

    /// <summary>HTTP/2 extended <c>CONNECT</c> with <c>:protocol = websocket</c> (RFC 8441).</summary>
    ExtendedConnect,
}
