using System.Diagnostics;
using Valet.Core.Diagnostics.Traffic;

namespace Valet.Core.Diagnostics;

/// <summary>
/// What the gateway learns about one public request while serving it, for the metrics, the
/// consumer stats, the access log and the trace: filled in step by step (app, consumer, rate-limit
/// decision, endpoint, body bytes) and read once when the answer is complete.
/// </summary>
public sealed class RequestRecord(long started, string requestId, AppTraffic app)
{
    private string? _traceParent;

    /// <summary><see cref="TimeProvider.GetTimestamp"/> at arrival.</summary>
    public long Started { get; } = started;

    public string RequestId { get; } = requestId;

    /// <summary>The app's traffic entry; <see cref="TrafficRegistry.Unknown"/> until an app is resolved.</summary>
    public AppTraffic App { get; set; } = app;

    /// <summary>The app's name once resolved, else null.</summary>
    public string? AppName { get; set; }

    /// <summary>The authenticated consumer's traffic entry, or null.</summary>
    public ConsumerTraffic? Consumer { get; set; }

    /// <summary>The consumer id as authenticated (may differ from <see cref="Consumer"/>'s id past the cap).</summary>
    public string? ConsumerId { get; set; }

    /// <summary>Length of the consumer-stats window: the app's rate-limit period, else 60 s.</summary>
    public int WindowSeconds { get; set; } = 60;

    /// <summary>The app's rate limit refused the request.</summary>
    public bool RateLimited { get; set; }

    /// <summary>Base address of the last endpoint the request was sent to, or null.</summary>
    public string? Upstream { get; set; }

    /// <summary>Request body bytes streamed to an endpoint; -1 when the body was not streamed.</summary>
    public long BytesIn { get; set; } = -1;

    /// <summary>Response body bytes written by a relay or an aggregate; -1 when the answer's Content-Length tells.</summary>
    public long BytesOut { get; set; } = -1;

    /// <summary>The server span, when a listener of the <c>Valet</c> source records it.</summary>
    public Activity? Activity { get; set; }

    /// <summary>The trace: the client's (from a valid <c>traceparent</c>) or a new one.</summary>
    public ActivityTraceId TraceId { get; private set; }

    private ActivitySpanId _parentSpan;
    private ActivityTraceFlags _flags;

    /// <summary>The client's parent context when it sent a valid <c>traceparent</c>; default otherwise.</summary>
    public ActivityContext ClientContext { get; private set; }

    /// <summary>Takes the client's trace context (parsed and valid).</summary>
    public void ContinueTrace(ActivityContext client)
    {
        ClientContext = client;
        TraceId = client.TraceId;
        _parentSpan = client.SpanId;
        _flags = client.TraceFlags;
    }

    /// <summary>Starts a new trace: the client sent no valid <c>traceparent</c>.</summary>
    public void StartTrace()
    {
        TraceId = ActivityTraceId.CreateRandom();
        _parentSpan = ActivitySpanId.CreateRandom();
        _flags = ActivityTraceFlags.Recorded;
    }

    /// <summary>The server span took over: its trace id is the trace's.</summary>
    public void Traced(Activity activity)
    {
        Activity = activity;
        TraceId = activity.TraceId;
    }

    /// <summary>
    /// The <c>traceparent</c> sent to endpoints: the client span of the attempt, else the server
    /// span, else (not recording) the client's context unchanged, or the new trace's root.
    /// </summary>
    public string OutgoingTraceParent(Activity? span)
    {
        if ((span ?? Activity) is { } recorded) return recorded.Id!;
        return _traceParent ??= Format(TraceId, _parentSpan, _flags);
    }

    /// <summary>The trace id's 32 lower-case hex digits, without a string.</summary>
    public static void Hex(ActivityTraceId trace, Span<char> chars)
    {
        Span<byte> bytes = stackalloc byte[16];
        trace.CopyTo(bytes);
        Convert.TryToHexStringLower(bytes, chars, out _);
    }

    internal static string Format(ActivityTraceId trace, ActivitySpanId span, ActivityTraceFlags flags) =>
        string.Create(55, (trace, span, flags), static (chars, s) =>
        {
            "00-".CopyTo(chars);
            Hex(s.trace, chars[3..35]);
            chars[35] = '-';
            Span<byte> span = stackalloc byte[8];
            s.span.CopyTo(span);
            Convert.TryToHexStringLower(span, chars[36..52], out _);
            chars[52] = '-';
            chars[53] = '0';
            chars[54] = (s.flags & ActivityTraceFlags.Recorded) != 0 ? '1' : '0';
        });
}
