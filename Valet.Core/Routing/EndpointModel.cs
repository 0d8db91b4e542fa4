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

    public override string ToString() => BaseAddress;
}
