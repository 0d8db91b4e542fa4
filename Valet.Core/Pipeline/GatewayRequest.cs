using Valet.Core.Auth;
using Valet.Core.Diagnostics;
using Valet.Core.Routing;

namespace Valet.Core.Pipeline;

/// <summary>What the pipeline learned about one request, handed from step to step.</summary>
public sealed class GatewayRequest(AppModel app, RequestTarget target, string requestId, RequestRecord record)
{
    public AppModel App { get; } = app;

    public RequestTarget Target { get; } = target;

    public string RequestId { get; } = requestId;

    /// <summary>What the request's observation collects (endpoint, body bytes, trace).</summary>
    public RequestRecord Record { get; } = record;

    /// <summary>The route-table snapshot the request was resolved in; an aggregate resolves its parts in it too.</summary>
    public RouteTable Table { get; init; } = RouteTable.Empty;

    /// <summary>The route serving the request, or null for the app's own endpoints.</summary>
    public RouteModel? Route { get; set; }

    /// <summary>The endpoints to forward to: the route's, else the app's.</summary>
    public EndpointModel[] Endpoints => Route?.Endpoints ?? App.Endpoints;

    /// <summary>The authenticated consumer, or null for a public app.</summary>
    public Consumer? Consumer { get; set; }
}
