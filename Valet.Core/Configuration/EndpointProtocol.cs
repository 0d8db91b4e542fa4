namespace Valet.Core.Configuration;

/// <summary>The HTTP version Valet speaks to an endpoint (<c>endpoints[].protocol</c>).</summary>
public enum EndpointProtocol
{
    /// <summary><c>http1</c>: HTTP/1.1 (the default).</summary>
    Http1,

    /// <summary><c>http2</c>: HTTP/2 over TLS, negotiated by ALPN; the endpoint must speak it.</summary>
    Http2,

    /// <summary><c>h2c</c>: HTTP/2 without TLS, by prior knowledge.</summary>
    H2c,
}
