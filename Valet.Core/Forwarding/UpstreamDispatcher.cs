using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Valet.Core.Diagnostics;
using Valet.Core.Pipeline;
using Valet.Core.Routing;

namespace Valet.Core.Forwarding;

/// <summary>
/// Picks an endpoint, forwards, and handles the outcome: passive health (a connect failure or a
/// timeout cools the endpoint down), one retry on the next endpoint for an idempotent request that
/// never reached its endpoint, and the mapping of failures to gateway errors.
/// </summary>
public sealed class UpstreamDispatcher(HttpForwarder forwarder, GatewayOptions options, TimeProvider time, ILogger<UpstreamDispatcher> logger)
{
    public async Task DispatchAsync(HttpContext context, GatewayRequest request)
    {
        var app = request.App;
        var requestId = request.RequestId;
        var endpoints = request.Endpoints;
        var now = time.GetUtcNow().UtcTicks;
        var index = app.LoadBalancing.Pick(endpoints, app.State, now, exclude: -1);
        if (index < 0)
        {
            Log.NoHealthyEndpoint(logger, app.Name, requestId);
            await ProblemWriter.WriteAsync(context, GatewayError.NoHealthyEndpoint, app.Name, requestId,
                $"every endpoint of app '{app.Name}' is cooling down after failures", RetryAfterSeconds(endpoints, now)).ConfigureAwait(false);
            return;
        }

        var result = await SendAsync(context, request, endpoints[index]).ConfigureAwait(false);
        if (result.Outcome == ForwardOutcome.ConnectFailed && IsRetryable(context))
        {
            var next = app.LoadBalancing.Pick(endpoints, app.State, time.GetUtcNow().UtcTicks, exclude: index);
            if (next >= 0)
            {
                Log.Retrying(logger, app.Name, endpoints[next].BaseAddress, requestId);
                index = next;
                result = await SendAsync(context, request, endpoints[index]).ConfigureAwait(false);
            }
        }

        switch (result.Outcome)
        {
            case ForwardOutcome.ConnectFailed:
                await ProblemWriter.WriteAsync(context, GatewayError.UpstreamUnreachable, app.Name, requestId,
                    $"could not connect to an endpoint of app '{app.Name}'").ConfigureAwait(false);
                break;
            case ForwardOutcome.RequestFailed:
                Log.EndpointFailed(logger, app.Name, endpoints[index].BaseAddress, requestId, result.Error);
                await ProblemWriter.WriteAsync(context, GatewayError.UpstreamFailed, app.Name, requestId,
                    $"the endpoint of app '{app.Name}' failed before answering").ConfigureAwait(false);
                break;
            case ForwardOutcome.Timeout:
                await ProblemWriter.WriteAsync(context, GatewayError.UpstreamTimeout, app.Name, requestId,
                    $"the endpoint of app '{app.Name}' did not answer within {app.Timeout.TotalSeconds}s").ConfigureAwait(false);
                break;
            case ForwardOutcome.RequestBodyTooLarge:
                await ProblemWriter.WriteAsync(context, GatewayError.PayloadTooLarge, app.Name, requestId,
                    $"the request body is larger than {app.MaxBodyBytes} bytes, the most app '{app.Name}' accepts").ConfigureAwait(false);
                break;
            case ForwardOutcome.RequestBodyInvalid:
                await ProblemWriter.WriteAsync(context, GatewayError.BadRequestBody, app.Name, requestId,
                    "the request body is malformed (e.g. a bad chunk size); what was forwarded of it was aborted").ConfigureAwait(false);
                break;
            case ForwardOutcome.RequestBodyTimedOut:
                await ProblemWriter.WriteAsync(context, GatewayError.RequestBodyTimeout, app.Name, requestId,
                    "the request body arrived too slowly; what was forwarded of it was aborted").ConfigureAwait(false);
                break;
            case ForwardOutcome.ResponseFailed:
                Log.EndpointFailed(logger, app.Name, endpoints[index].BaseAddress, requestId, result.Error);
                break;
        }
    }

    private async ValueTask<ForwardResult> SendAsync(HttpContext context, GatewayRequest request, EndpointModel endpoint)
    {
        var app = request.App;
        var state = endpoint.State;
        request.Record.Upstream = endpoint.BaseAddress;
        state.Enter();
        ForwardResult result;
        try
        {
            result = await forwarder.ForwardAsync(context, request, endpoint).ConfigureAwait(false);
        }
        finally
        {
            state.Leave();
        }

        Observe(app, endpoint, result, request.RequestId);
        return result;
    }

    /// <summary>
    /// Passive health: a success clears the endpoint's cool-down, a connect failure or a timeout
    /// starts one. Also used by aggregate parts, so both paths judge endpoints alike.
    /// </summary>
    internal void Observe(AppModel app, EndpointModel endpoint, in ForwardResult result, string requestId)
    {
        var state = endpoint.State;
        switch (result.Outcome)
        {
            case ForwardOutcome.Success:
                state.MarkHealthy();
                break;
            case ForwardOutcome.ConnectFailed:
                state.MarkUnhealthy(time.GetUtcNow().UtcTicks + options.HealthCooldown.Ticks);
                Log.EndpointUnreachable(logger, app.Name, endpoint.BaseAddress, options.HealthCooldown.TotalSeconds, requestId, result.Error);
                break;
            case ForwardOutcome.Timeout:
                state.MarkUnhealthy(time.GetUtcNow().UtcTicks + options.HealthCooldown.Ticks);
                Log.EndpointTimeout(logger, app.Name, endpoint.BaseAddress, app.Timeout.TotalSeconds, requestId);
                break;
        }
    }

    /// <summary>Only idempotent methods without a body are replayed: nothing of them can have been consumed.</summary>
    private static bool IsRetryable(HttpContext context) =>
        IsReplayable(context.Request.Method) && context.Request.ContentLength is null or 0 && !context.Response.HasStarted;

    /// <summary>Methods whose request, sent without a body, may be sent again after a connect failure.</summary>
    internal static bool IsReplayable(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method);

    private static int RetryAfterSeconds(EndpointModel[] endpoints, long nowTicks)
    {
        var soonest = long.MaxValue;
        foreach (var endpoint in endpoints) soonest = Math.Min(soonest, endpoint.State.UnhealthyUntilTicks);
        var seconds = (int)Math.Ceiling((soonest - nowTicks) / (double)TimeSpan.TicksPerSecond);
        return Math.Max(1, seconds);
    }
}
