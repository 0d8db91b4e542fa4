using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Valet.Core.Diagnostics;
using Valet.Core.Diagnostics.AccessLog;
using Valet.Core.Diagnostics.Metrics;
using Valet.Core.Diagnostics.Traffic;

namespace Valet.Core.Pipeline;

/// <summary>
/// Opens and closes the observation of each public request: at arrival the request id, the trace
/// context (the client's <c>traceparent</c>, or a new trace) and, when recorded, the server span;
/// at the end of the answer the metrics, the consumer's figures, the access log line and the span's
/// tags. Nothing here formats text or takes a lock on the request path.
/// </summary>
public sealed class RequestObserver(GatewayMetrics metrics, TrafficRegistry traffic, TimeProvider time, AccessLogWriter? accessLog = null)
{
    public const string TraceParentHeader = "traceparent";
    public const string TraceStateHeader = "tracestate";

    public TrafficRegistry Traffic => traffic;

    public GatewayMetrics Metrics => metrics;

    public RequestRecord Start(HttpContext context)
    {
        var record = new RequestRecord(time.GetTimestamp(), RequestIds.For(context), traffic.Unknown);
        metrics.RequestStarted();

        var headers = context.Request.Headers;
        var traceparent = headers.TraceParent;
        if (traceparent.Count == 1 && ActivityContext.TryParse(traceparent[0], TraceState(headers), isRemote: true, out var client)
            && client.TraceId != default && client.SpanId != default)
        {
            record.ContinueTrace(client);
        }
        else
        {
            record.StartTrace();
        }

        if (ValetTelemetry.Source.HasListeners()
            && ValetTelemetry.StartDetached("valet.request", ActivityKind.Server, record.ClientContext) is { } activity)
        {
            record.Traced(activity);
        }

        return record;
    }

    private static string? TraceState(IHeaderDictionary headers)
    {
        var state = headers.TraceState;
        return state.Count == 1 ? state[0] : null;
    }

    /// <summary>The answer is complete (or the pipeline threw <paramref name="error"/>).</summary>
    public void Finish(HttpContext context, RequestRecord record, Exception? error = null)
    {
        var request = context.Request;
        var response = context.Response;
        var status = error is not null && !response.HasStarted ? StatusCodes.Status500InternalServerError : response.StatusCode;
        var seconds = time.GetElapsedTime(record.Started).TotalSeconds;
        var head = HttpMethods.IsHead(request.Method);
        var bytesIn = record.BytesIn >= 0 ? record.BytesIn : request.ContentLength ?? 0;
        var bytesOut = record.BytesOut >= 0 ? record.BytesOut : head ? 0 : response.ContentLength ?? 0;
        var consumer = record.Consumer ?? record.App.Anonymous;

        metrics.RequestFinished(consumer, request.Method, status, seconds, bytesIn, bytesOut);
        var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (!ReferenceEquals(record.App, traffic.Unknown)) consumer.Record(nowMs, record.WindowSeconds, record.RateLimited, bytesIn, bytesOut);

        if (record.Activity is { } activity) CloseSpan(activity, context, record, status, error);

        if (accessLog is not null)
        {
            var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget is { Length: > 0 } raw ? raw : request.Path.Value ?? "/";
            accessLog.Write(new AccessLogEntry(nowMs, record.RequestId, record.TraceId, context.Connection.RemoteIpAddress,
                record.AppName, record.ConsumerId, request.Method, target, AccessLogEntry.PathLengthOf(target), request.Protocol,
                status, seconds * 1000, record.Upstream, bytesIn, bytesOut));
        }
    }

    private static void CloseSpan(Activity activity, HttpContext context, RequestRecord record, int status, Exception? error)
    {
        var request = context.Request;
        activity.DisplayName = record.AppName is { } app ? $"{request.Method} /{app}" : request.Method;
        activity.SetTag("http.request.method", request.Method);
        activity.SetTag("url.path", request.Path.Value);
        activity.SetTag("url.scheme", request.Scheme);
        activity.SetTag("network.protocol.version", request.Protocol);
        activity.SetTag("http.response.status_code", status);
        activity.SetTag("valet.request_id", record.RequestId);
        if (record.AppName is { } name) activity.SetTag("valet.app", name);
        if (record.ConsumerId is { } consumer) activity.SetTag("valet.consumer", consumer);
        if (record.Upstream is { } upstream) activity.SetTag("valet.upstream", upstream);
        if (record.RateLimited) activity.SetTag("valet.rate_limited", true);
        if (error is not null) activity.AddException(error);
        if (status >= 500) activity.SetStatus(ActivityStatusCode.Error);
        activity.Stop();
    }
}
