using System.Collections.Concurrent;
using System.Net;

namespace Valet.Core.LoadBalancing;

/// <summary>
/// Long-lived runtime state of one app, kept across reloads (keyed by app name): the rotation
/// cursor, endpoint health, and the pooled HTTP connections to its endpoints.
/// </summary>
public sealed class AppState
{
    private readonly ConcurrentDictionary<string, EndpointState> _endpoints = new(StringComparer.Ordinal);
    private uint _cursor = uint.MaxValue;

    public AppState(string name)
    {
        Name = name;
        Invoker = new HttpMessageInvoker(CreateHandler(), disposeHandler: true);
    }

    public string Name { get; }

    /// <summary>The app's connection pool; one per app, reused by every request and every reload.</summary>
    public HttpMessageInvoker Invoker { get; }

    /// <summary>The next rotation position (wraps around).</summary>
    public uint NextCursor() => Interlocked.Increment(ref _cursor);

    /// <summary>State of the endpoint with identity <paramref name="key"/>, created on first use.</summary>
    public EndpointState Endpoint(string key) => _endpoints.GetOrAdd(key, static _ => new EndpointState());

    /// <summary>Drops state of endpoints the app no longer has.</summary>
    public void RetainEndpoints(IReadOnlyCollection<string> keys)
    {
        foreach (var key in _endpoints.Keys)
        {
            if (!keys.Contains(key)) _endpoints.TryRemove(key, out _);
        }
    }

    private static SocketsHttpHandler CreateHandler() => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        // Pooled keep-alive connections; a lifetime so DNS changes are seen.
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
        ConnectTimeout = TimeSpan.FromSeconds(10),
        MaxConnectionsPerServer = int.MaxValue,
        EnableMultipleHttp2Connections = true,
        // Valet sets traceparent itself (HttpForwarder.AddGatewayHeaders); the handler adds nothing.
        ActivityHeadersPropagator = null,
        ResponseDrainTimeout = TimeSpan.FromSeconds(2),
    };
}
