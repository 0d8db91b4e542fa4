using Valet.Core.Configuration;
using Valet.Core.LoadBalancing;

namespace Valet.Core.Routing;

/// <summary>The compiled view of one endpoint: where to send, and its long-lived state.</summary>
public sealed class EndpointModel(EndpointConfig config, EndpointState state)
{
    public EndpointConfig Config { get; } = config;

    /// <summary><c>scheme://host:port</c> followed by the endpoint's path prefix (no trailing '/').</summary>
    public string BaseAddress { get; } = $"{config.Scheme}://{config.Host}:{config.Port}{config.Path}";

    public EndpointState State { get; } = state;

    /// <summary>Whether requests go out as HTTP/2 (<c>http2</c> or <c>h2c</c>).</summary>
    public bool IsHttp2 { get; } = config.Protocol != EndpointProtocol.Http1;

    /// <summary>Cleartext HTTP/1.1 (scheme <c>http</c>, protocol <c>http1</c>): what Valet's own client speaks.</summary>
    public bool IsPlainHttp1 { get; } = config.Protocol == EndpointProtocol.Http1 && string.Equals(config.Scheme, "http", StringComparison.OrdinalIgnoreCase);

    /// <summary>The version of every request to this endpoint.</summary>
    public Version Version => IsHttp2 ? System.Net.HttpVersion.Version20 : System.Net.HttpVersion.Version11;

    /// <summary>HTTP/1.1 may be answered in a lower version; HTTP/2 must be spoken, or the request fails.</summary>
    public HttpVersionPolicy VersionPolicy => IsHttp2 ? HttpVersionPolicy.RequestVersionExact : HttpVersionPolicy.RequestVersionOrLower;

    public override string ToString() => BaseAddress;
}
