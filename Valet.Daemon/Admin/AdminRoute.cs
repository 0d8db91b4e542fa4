namespace Valet.Daemon.Admin;

/// <summary>The admin API's routes.</summary>
public enum AdminRoute
{
    /// <summary>No such route.</summary>
    Unknown,

    /// <summary><c>GET /health</c>: the process is alive.</summary>
    Health,

    /// <summary><c>GET /ready</c>: the config is loaded and the daemon is not draining.</summary>
    Ready,

    /// <summary><c>GET /apis</c>: every app.</summary>
    Apis,

    /// <summary><c>GET | PUT | DELETE /apis/{name}</c>: one app.</summary>
    App,

    /// <summary><c>GET /apis/{name}/consumers</c>: each consumer's use in the current window and totals since start.</summary>
    Consumers,

    /// <summary><c>POST /reload</c>: re-read the conf folder.</summary>
    Reload,

    /// <summary><c>GET | PUT | DELETE /apis/{name}/routes/{id}</c>: one route of an app, changed without rewriting the rest.</summary>
    AppRoute,

    /// <summary><c>GET /peers</c>: this node's id and its cluster peers with state and sync figures.</summary>
    Peers,

    /// <summary><c>GET /metrics</c>: the <c>Valet</c> meters in the Prometheus text exposition format.</summary>
    Metrics,
}
