namespace Valet.Core.Configuration;

/// <summary>
/// One route inside an app (<c>routes: [ { id, path, methods?, endpoints | target } ]</c>): requests
/// under <see cref="Path"/> (and with one of <see cref="Methods"/>) go to its own endpoints
/// instead of the app's, with the route's path prefix replaced by the endpoint's path.
/// </summary>
public sealed record RouteConfig
{
    /// <summary>Name of the route within the app (the admin API's <c>/apis/{name}/routes/{id}</c>).</summary>
    public required string Id { get; init; }

    /// <summary>Path prefix, app-relative, starting with '/', without a trailing '/' (except "/").</summary>
    public required string Path { get; init; }

    /// <summary>Upper-case methods; null = any method.</summary>
    public IReadOnlyList<string>? Methods { get; init; }

    /// <summary>The route's endpoints (one when given as <c>target</c>).</summary>
    public required IReadOnlyList<EndpointConfig> Endpoints { get; init; }

    /// <summary>The <c>target</c> URL as written, when the route was given one.</summary>
    public string? Target { get; init; }
}
