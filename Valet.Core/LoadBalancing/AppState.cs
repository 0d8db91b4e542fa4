using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using Valet.Core.Forwarding.Http2;

namespace Valet.Core.LoadBalancing;

/// <summary>
/// Long-lived runtime state of one app, kept across reloads (keyed by app name): the rotation
/// cursor, endpoint health, and the pooled HTTP connections to its endpoints.
/// </summary>
public sealed class AppState
{
    /// <summary>How long a connection to an endpoint may take (TCP and TLS), on both HTTP clients.</summary>
    internal static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, EndpointState> _endpoints = new(StringComparer.Ordinal);
    private uint _cursor = uint.MaxValue;
    private int _droppedTrailersLogged;

    /// <param name="name">The app's name.</param>
    /// <param name="certificateValidation">
    /// How endpoint certificates are checked, by both HTTP clients alike; null (the default) = the
    /// system's trust store and the endpoint's host name.
    /// </param>
    public AppState(string name, RemoteCertificateValidationCallback? certificateValidation = null)
    {
        Name = name;
        Invoker = new HttpMessageInvoker(CreateHandler(certificateValidation), disposeHandler: true);
        TrailerClient = new Http2TrailerClient(certificateValidation, ConnectTimeout);
    }

    public string Name { get; }

    /// <summary>The app's connection pool; one per app, reused by every request and every reload.</summary>
    public HttpMessageInvoker Invoker { get; }

    /// <summary>
    /// The app's HTTP/2 client for requests that carry trailers to an <c>http2</c>/<c>h2c</c>
    /// endpoint, which <see cref="Invoker"/> cannot send (see <see cref="RequestTrailers.Announced"/>).
    /// </summary>
    public Http2TrailerClient TrailerClient { get; }

    /// <summary>True the first time only: unannounced request trailers toward HTTP/2 endpoints are logged once per app.</summary>
    internal bool FirstDroppedTrailers() => Interlocked.Exchange(ref _droppedTrailersLogged, 1) == 0;

    /// <summary>The next rotation position (wraps around).</summary>
    public uint NextCursor() => Interlocked.Increment(ref _cursor);

    /// <summary>State of the endpoint with identity <paramref name="key"/>, created on first use.</summary>
    public EndpointState Endpoint(string key) => _endpoints.GetOrAdd(key, static _ => new EndpointState());

    /// <summary>Drops state of endpoints the app no longer has.</summary>
    public void RetainEndpoints(IReadOnlyCollection<string> keys)
    {
        foreach (var key in _endpoints.Keys)
        {
            if (!keys.Contains(key) && _endpoints.TryRemove(key, out var removed)) removed.Close();
        }
    }

    private static SocketsHttpHandler CreateHandler(RemoteCertificateValidationCallback? certificateValidation) => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        // Pooled keep-alive connections; a lifetime so DNS changes are seen.
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
        ConnectTimeout = ConnectTimeout,
        SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = certificateValidation },
        MaxConnectionsPerServer = int.MaxValue,
        EnableMultipleHttp2Connections = true,
        // Valet sets traceparent itself (HttpForwarder.AddGatewayHeaders); the handler adds nothing.
        ActivityHeadersPropagator = null,
        ResponseDrainTimeout = TimeSpan.FromSeconds(2),
    };
}
