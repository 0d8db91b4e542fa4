namespace Valet.Core.LoadBalancing;

/// <summary>
/// Long-lived runtime state of one endpoint, kept across reloads (keyed by the endpoint's
/// identity): passive health and in-flight requests.
/// </summary>
public sealed class EndpointState
{
    private long _unhealthyUntilTicks;
    private int _inFlight;

    /// <summary>Requests currently sent to this endpoint and not yet finished.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Whether the endpoint may be picked at <paramref name="nowTicks"/> (UTC ticks).</summary>
    public bool IsHealthy(long nowTicks) => Volatile.Read(ref _unhealthyUntilTicks) <= nowTicks;

    /// <summary>UTC ticks until which the endpoint is skipped; 0 when it never failed.</summary>
    public long UnhealthyUntilTicks => Volatile.Read(ref _unhealthyUntilTicks);

    /// <summary>Skips the endpoint until <paramref name="untilTicks"/> after a connect failure or timeout.</summary>
    public void MarkUnhealthy(long untilTicks) => Volatile.Write(ref _unhealthyUntilTicks, untilTicks);

    /// <summary>Clears the cool-down after a successful answer.</summary>
    public void MarkHealthy()
    {
        if (Volatile.Read(ref _unhealthyUntilTicks) != 0) Volatile.Write(ref _unhealthyUntilTicks, 0);
    }

    public void Enter() => Interlocked.Increment(ref _inFlight);

    public void Leave() => Interlocked.Decrement(ref _inFlight);

    private Forwarding.Http1.Http1Pool? _http1;

    /// <summary>The endpoint's keep-alive connections on Valet's own HTTP/1.1 client, made at first use.</summary>
    internal Forwarding.Http1.Http1Pool Http1Pool(Configuration.EndpointConfig config, TimeSpan connectTimeout, TimeProvider time, bool eventLoops)
    {
        if (Volatile.Read(ref _http1) is { } pool) return pool;
        var made = new Forwarding.Http1.Http1Pool(config.Host, config.Port, connectTimeout, time, eventLoops);
        if (Interlocked.CompareExchange(ref _http1, made, null) is { } raced)
        {
            made.Dispose();
            return raced;
        }

        return made;
    }

    /// <summary>Closes the idle connections (the endpoint left its app).</summary>
    internal void Close() => Volatile.Read(ref _http1)?.Dispose();
}
