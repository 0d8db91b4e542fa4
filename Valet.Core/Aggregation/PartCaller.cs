using Microsoft.AspNetCore.Http;
using Valet.Core.Forwarding;
using Valet.Core.RateLimiting;
using Valet.Core.Routing;

namespace Valet.Core.Aggregation;

/// <summary>
/// Calls one part through the same steps as a direct request to the part's app, in the route-table
/// snapshot the aggregate was resolved in:
/// 1. resolve: the app must be served and must not be an aggregate (aggregates do not nest);
/// 2. methods: a method the app does not accept fails the part (405);
/// 3. auth: skipped; the gateway calls on behalf of a client the aggregate has authenticated;
/// 4. limit: the part counts against the app's own rate limit (429 when spent);
/// 5. size: the body over the app's <c>maxBodyBytes</c> fails the part (413);
/// 6. serve: the app's first matching mock answers; a mock-only app without a match fails (404);
/// 7. forward: the app's policy picks a healthy endpoint, on the app's connection pool, with its
///    timeout, in-flight count, passive health and one safe retry; the answer is read whole, up to
///    <see cref="MaxAnswerBytes"/>.
/// The token carries the part's own timeout, the aggregate's timeout, a required sibling's failure
/// and the client's abort; when it fires the call ends with <see cref="OperationCanceledException"/>.
/// </summary>
internal sealed class PartCaller(UpstreamDispatcher dispatcher, WindowRateLimiter limiter, TimeProvider time, Pipeline.RequestObserver observer)
{
    /// <summary>The largest part answer held in memory; a larger one fails the part (502).</summary>
    public const int MaxAnswerBytes = 8 * 1024 * 1024;

    public ValueTask<PartResult> CallAsync(FanOut fanOut, AggregatePartModel part, CancellationToken token)
    {
        // 1. resolve
        if (!fanOut.Gateway.Table.TryGetApp(part.App, out var app)) return Fail(502, $"app '{part.App}' is not served");
        if (app.Aggregate is not null) return Fail(502, $"app '{part.App}' is an aggregate; aggregates do not nest");

        // 2. methods
        var method = part.MethodFor(fanOut.ClientMethod);
        if (!app.AllowsMethod(method)) return Fail(405, $"app '{app.Name}' does not accept {method}");

        // 4. limit
        if (app.RateLimit is { } limit && !Admit(fanOut, limit)) return Fail(429, $"the limit of app '{app.Name}' is spent for this window");

        // 5. size
        var sendsBody = !fanOut.Body.IsEmpty && AggregatePartModel.SendsBody(method);
        if (sendsBody && fanOut.Body.Length > app.MaxBodyBytes)
        {
            return Fail(413, $"the request body is larger than {app.MaxBodyBytes} bytes, the most app '{app.Name}' accepts");
        }

        // 6. serve
        var path = part.TargetPath(fanOut.Gateway.Target.Path);
        if (app.Mocks.Length > 0 && app.MatchMock(method, path) is { } mock) return ServeMockAsync(mock, method, token);
        if (app.IsMockOnly) return Fail(404, $"app '{app.Name}' has no mock for {method} {path}");

        // 7. forward
        return ForwardAsync(fanOut, app, method, path, sendsBody, token);
    }

    private static ValueTask<PartResult> Fail(int status, string error) => ValueTask.FromResult(PartResult.Failed(status, error));

    private bool Admit(FanOut fanOut, RateLimitModel limit)
    {
        // The budget of the part's app. A consumer's own limitValue is a setting of the aggregate's
        // keys, so the part's app applies its own limit to that consumer.
        var budget = limit.RequestFor(fanOut.Gateway.Consumer?.Id, consumerLimit: null, fanOut.ClientIp, out _);
        using var lease = limiter.AttemptAcquire(budget);
        observer.Metrics.RateLimitDecision(observer.Traffic.App(limit.App), lease.IsAcquired);
        return lease.IsAcquired;
    }

    private async ValueTask<PartResult> ServeMockAsync(MockModel mock, string method, CancellationToken token)
    {
        if (mock.Delay > TimeSpan.Zero) await Task.Delay(mock.Delay, time, token).ConfigureAwait(false);
        var status = mock.Status;
        var noBody = status is 204 or 304 or < 200 || HttpMethods.IsHead(method);
        return PartResult.Answered(status, noBody ? default : mock.Content, JsonBody.IsJsonMediaType(mock.ContentType), rented: null);
    }

    private async ValueTask<PartResult> ForwardAsync(FanOut fanOut, AppModel app, string method, string path, bool sendsBody, CancellationToken token)
    {
        var endpoints = app.Endpoints;
        var index = app.LoadBalancing.Pick(endpoints, app.State, time.GetUtcNow().UtcTicks, exclude: -1);
        if (index < 0) return PartResult.Failed(503, $"every endpoint of app '{app.Name}' is cooling down after failures");

        var attempt = await AttemptAsync(fanOut, app, endpoints[index], method, path, sendsBody, token).ConfigureAwait(false);
        if (attempt.Outcome == ForwardOutcome.ConnectFailed && !sendsBody && UpstreamDispatcher.IsReplayable(method))
        {
            var next = app.LoadBalancing.Pick(endpoints, app.State, time.GetUtcNow().UtcTicks, exclude: index);
            if (next >= 0) attempt = await AttemptAsync(fanOut, app, endpoints[next], method, path, sendsBody, token).ConfigureAwait(false);
        }

        return attempt.Result;
    }

    private async ValueTask<(ForwardOutcome Outcome, PartResult Result)> AttemptAsync(
        FanOut fanOut, AppModel app, EndpointModel endpoint, string method, string path, bool sendsBody, CancellationToken token)
    {
        var requestId = fanOut.Gateway.RequestId;
        using var upstream = HttpForwarder.CreateRequest(method, endpoint, path, fanOut.Gateway.Target.Query);
        if (sendsBody) upstream.Content = new ReadOnlyMemoryContent(fanOut.Body);
        fanOut.Headers.ApplyTo(upstream);

        // The app's timeout runs until response headers arrive, as for a direct request.
        using var deadline = new CancellationTokenSource(app.Timeout, time);
        using var link = token.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), deadline);
        var state = endpoint.State;
        state.Enter();
        try
        {
            HttpResponseMessage response;
            var sent = time.GetTimestamp();
            try
            {
                response = await app.State.Invoker.SendAsync(upstream, deadline.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or HttpRequestException or IOException)
            {
                // Cancelled from outside (part or aggregate timeout, a failed sibling, the client): not the endpoint's fault.
                token.ThrowIfCancellationRequested();
                var failure = new ForwardResult(HttpForwarder.ClassifySendFailure(e, bodyStarted: false), e);
                dispatcher.Observe(app, endpoint, failure, requestId);
                return (failure.Outcome, failure.Outcome switch
                {
                    ForwardOutcome.Timeout => PartResult.TimedOut($"the endpoint of app '{app.Name}' did not answer within {app.Timeout.TotalSeconds}s"),
                    ForwardOutcome.ConnectFailed => PartResult.Failed(502, $"could not connect to an endpoint of app '{app.Name}'"),
                    _ => PartResult.Failed(502, $"the endpoint of app '{app.Name}' failed before answering"),
                });
            }

            deadline.CancelAfter(Timeout.InfiniteTimeSpan);
            observer.Metrics.UpstreamAnswered(observer.Traffic.App(app.Name), time.GetElapsedTime(sent).TotalSeconds);
            using (response)
            {
                BoundedBuffer body;
                try
                {
                    using var stream = await response.Content.ReadAsStreamAsync(deadline.Token).ConfigureAwait(false);
                    body = await BoundedBuffer.ReadAsync(stream, response.Content.Headers.ContentLength, MaxAnswerBytes, deadline.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is OperationCanceledException or HttpRequestException or IOException)
                {
                    token.ThrowIfCancellationRequested();
                    return (ForwardOutcome.ResponseFailed, PartResult.Failed(502, $"the endpoint of app '{app.Name}' broke off its answer"));
                }

                if (body.TooLarge)
                {
                    return (ForwardOutcome.ResponseFailed, PartResult.Failed(502, $"the answer of app '{app.Name}' is larger than {MaxAnswerBytes} bytes"));
                }

                dispatcher.Observe(app, endpoint, ForwardOutcome.Success, requestId);
                var isJson = JsonBody.IsJsonMediaType(response.Content.Headers.ContentType?.MediaType);
                return (ForwardOutcome.Success, PartResult.Answered((int)response.StatusCode, body.Memory, isJson, body.Rented));
            }
        }
        finally
        {
            state.Leave();
        }
    }
}
