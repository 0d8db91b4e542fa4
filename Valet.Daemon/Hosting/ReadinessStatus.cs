namespace Valet.Daemon.Hosting;

/// <summary>Where the daemon is in its life, as <c>GET /ready</c> reports it.</summary>
public enum ReadinessStatus
{
    /// <summary>The first config load has not been applied yet.</summary>
    Starting,

    /// <summary>Serving.</summary>
    Ready,

    /// <summary>Shutting down: in-flight requests finish, load balancers should stop sending new ones.</summary>
    Draining,
}
