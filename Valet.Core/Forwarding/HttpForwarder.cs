using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Valet.Core.Diagnostics;
using Valet.Core.Diagnostics.Metrics;
using Valet.Core.Forwarding.Http1;
using Valet.Core.Forwarding.Http2;
using Valet.Core.LoadBalancing;
using Valet.Core.Pipeline;
using Valet.Core.Routing;

namespace Valet.Core.Forwarding;

/// <summary>
/// Sends one request to one endpoint and streams the answer back, on the app's pooled
/// <see cref="HttpMessageInvoker"/>, or, for a request announcing trailers to an HTTP/2 endpoint,
/// on the app's <see cref="Http2TrailerClient"/> (<see cref="RequestTrailers.Announced"/>). Bodies
/// flow through pooled buffers in both directions and are never held whole.
/// </summary>
public sealed class HttpForwarder(TimeProvider time, WebSocketTunnel tunnel, GatewayMetrics metrics, GatewayOptions options, ILogger<HttpForwarder> logger)
{
    private const int ResponseBufferSize = 64 * 1024;
    private const int MinBufferSize = 512;

    private readonly TimeoutSourcePool _timeouts = new(time);

    /// <summary>
    /// Forwards the request in <paramref name="context"/> to <paramref name="endpoint"/>.
    /// 1. Build the upstream message: method, target = endpoint base + app-relative path + query
    ///    (percent-encoding as the client sent it), headers minus hop-by-hop ones, X-Forwarded-*.
    /// 2. Send with the app's timeout running until response headers arrive; a client abort
    ///    cancels the upstream call. Announced request trailers to an HTTP/2 endpoint go through
    ///    Valet's own HTTP/2 client (one connection per request), everything else through the pool.
    /// 3. Copy status and headers, then stream the body, then copy trailers.
    /// Nothing is written to the client unless step 2 succeeded, so the caller can still retry or
    /// answer with a problem. A WebSocket opening goes to <see cref="WebSocketTunnel"/> instead.
    /// </summary>
    public ValueTask<ForwardResult> ForwardAsync(HttpContext context, GatewayRequest gateway, EndpointModel endpoint)
    {
        var websocket = WebSocketRequest.Detect(context);
        if (websocket != WebSocketKind.None) return tunnel.ForwardAsync(context, gateway, endpoint, websocket);
        return UsesOwnClient(context, endpoint) ? ForwardHttp1Async(context, gateway, endpoint) : ForwardHttpAsync(context, gateway, endpoint);
    }

    /// <summary>Valet's own HTTP/1.1 client takes requests without a body to plain-HTTP/1.1 endpoints (unless turned off).</summary>
    private bool UsesOwnClient(HttpContext context, EndpointModel endpoint) =>
        options.UpstreamClient == UpstreamClient.Valet && endpoint.IsPlainHttp1 && !HasBody(context);

    /// <summary>
    /// <see cref="ForwardHttpAsync"/>'s steps on Valet's own HTTP/1.1 client (<see cref="Http1Exchange"/>):
    /// the same timeout, failure classes, metrics, span and header rules; the connection goes back
    /// to the endpoint's pool once its answer was read whole.
    /// </summary>
    private async ValueTask<ForwardResult> ForwardHttp1Async(HttpContext context, GatewayRequest gateway, EndpointModel endpoint)
    {
        var app = gateway.App;
        var record = gateway.Record;
        var span = record.Activity is { } parent ? StartSpan(parent, context, endpoint) : null;
        var pool = endpoint.State.Http1Pool(endpoint.Config, AppState.ConnectTimeout, time, options.EventLoops);
        var result = default(ForwardResult);
        Http1Connection? connection = null;
        var timeout = _timeouts.Rent(app.Timeout);
        var clientAborted = context.RequestAborted.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), timeout);
        try
        {
            Http1ResponseHead head;
            var sent = time.GetTimestamp();
            try
            {
                (connection, head) = await Http1Exchange.SendAsync(pool, context, gateway, endpoint, span, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or System.Net.Sockets.SocketException)
            {
                result = context.RequestAborted.IsCancellationRequested ? ForwardOutcome.ClientAborted
                    : new ForwardResult(e switch
                    {
                        OperationCanceledException => ForwardOutcome.Timeout,
                        Http1ConnectException => ForwardOutcome.ConnectFailed,
                        _ => ForwardOutcome.RequestFailed,
                    }, e);
                return result;
            }

            timeout.CancelAfter(Timeout.InfiniteTimeSpan);
            metrics.UpstreamAnswered(record.App, time.GetElapsedTime(sent).TotalSeconds);
            span?.SetTag("http.response.status_code", head.Status);
            Http1ResponseWriter.WriteHead(context, head, connection.Buffered, app);
            connection.Consume(head.Length);
            var kind = head.BodyKind(context.Request.Method);
            var keepAlive = head.KeepAlive(kind);
            result = await Http1ResponseWriter.CopyBodyAsync(connection, kind, head.ContentLength, context, record, timeout.Token).ConfigureAwait(false);
            if (result.Outcome == ForwardOutcome.Success && keepAlive && connection.BufferedCount == 0)
            {
                pool.Return(connection);
                connection = null;
            }

            return result;
        }
        finally
        {
            connection?.Dispose();
            clientAborted.Dispose();
            _timeouts.Return(timeout);
            if (span is not null) CloseSpan(span, result);
        }
    }

    private async ValueTask<ForwardResult> ForwardHttpAsync(HttpContext context, GatewayRequest gateway, EndpointModel endpoint)
    {
        var app = gateway.App;
        var record = gateway.Record;
        var request = context.Request;
        var span = record.Activity is { } parent ? StartSpan(parent, context, endpoint) : null;
        var upstream = CreateRequest(request.Method, endpoint, gateway);

        StreamCopyContent? content = null;
        RequestTrailers? trailers = null;
        if (HasBody(context))
        {
            // HTTP/2 endpoints get each chunk at once: a gRPC stream's messages must not wait in a buffer.
            content = new StreamCopyContent(request.Body, flush: endpoint.IsHttp2);
            if (request.ContentLength is { } length) content.Headers.ContentLength = length;
            upstream.Content = content;
            if (endpoint.IsHttp2 && RequestTrailers.Announced(request)) trailers = new RequestTrailers(request, app);
        }

        var result = default(ForwardResult);
        Http2Connection? trailerConnection = null;
        try
        {
            CopyRequestHeaders(request, upstream, app);
            AddGatewayHeaders(context, upstream.Headers, gateway, span);
            trailers?.Announce(upstream);

            using var timeout = new CancellationTokenSource(app.Timeout, time);
            using var clientAborted = context.RequestAborted.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), timeout);

            HttpResponseMessage response;
            var sent = time.GetTimestamp();
            try
            {
                if (trailers is null)
                {
                    response = await app.State.Invoker.SendAsync(upstream, timeout.Token).ConfigureAwait(false);
                }
                else
                {
                    trailerConnection = await app.State.TrailerClient.SendAsync(upstream, trailers, timeout.Token).ConfigureAwait(false);
                    response = trailerConnection.Response!;
                }
            }
            catch (Exception e) when (e is OperationCanceledException or HttpRequestException or IOException)
            {
                upstream.Dispose();
                result = context.RequestAborted.IsCancellationRequested ? ForwardOutcome.ClientAborted
                    : content?.ReadFailure is { } bodyFailure ? new ForwardResult(ClientBodyFailure(bodyFailure), e)
                    : new ForwardResult(ClassifySendFailure(e, content is { Started: true }), e);
                return result;
            }

            // Headers arrived: the timeout no longer applies (a long download is not a slow endpoint).
            timeout.CancelAfter(Timeout.InfiniteTimeSpan);
            metrics.UpstreamAnswered(record.App, time.GetElapsedTime(sent).TotalSeconds);
            span?.SetTag("http.response.status_code", (int)response.StatusCode);
            using (upstream)
            using (response)
            {
                CopyResponseHead(context, response, app);
                result = await CopyBodyAsync(context, response, record, timeout.Token).ConfigureAwait(false);
                return result;
            }
        }
        finally
        {
            // Also waits until the body is no longer read, before the request ends.
            if (trailerConnection is not null) await trailerConnection.DisposeAsync().ConfigureAwait(false);
            else if (trailers is null && content is { Started: true } && endpoint.IsHttp2) NoteDroppedTrailers(request, app, endpoint);
            if (content is not null) record.BytesIn = content.Bytes;
            if (span is not null) CloseSpan(span, result);
        }
    }

    /// <summary>
    /// Trailers the client sent without announcing them cannot go through SocketsHttpHandler; the
    /// first time an app sees that, it is logged, so the fix (a <c>Trailer</c> header) can be found.
    /// </summary>
    private void NoteDroppedTrailers(HttpRequest request, AppModel app, EndpointModel endpoint)
    {
        if (!request.CheckTrailersAvailable()) return;
        var trailers = request.HttpContext.Features.Get<IHttpRequestTrailersFeature>()?.Trailers;
        if (trailers is { Count: > 0 } && app.State.FirstDroppedTrailers()) Log.RequestTrailersDropped(logger, app.Name, endpoint.BaseAddress);
    }

    /// <summary>The client span of one upstream attempt, a child of the request's server span.</summary>
    private static Activity? StartSpan(Activity parent, HttpContext context, EndpointModel endpoint)
    {
        var span = ValetTelemetry.StartDetached("valet.upstream", ActivityKind.Client, parent.Context);
        if (span is null) return null;
        span.DisplayName = context.Request.Method;
        span.SetTag("http.request.method", context.Request.Method);
        span.SetTag("server.address", endpoint.Config.Host);
        span.SetTag("server.port", endpoint.Config.Port);
        span.SetTag("valet.endpoint", endpoint.BaseAddress);
        return span;
    }

    private static void CloseSpan(Activity span, in ForwardResult result)
    {
        if (result.Outcome != ForwardOutcome.Success)
        {
            span.SetTag("error.type", result.Outcome.ToString());
            if (result.Outcome != ForwardOutcome.ClientAborted) span.SetStatus(ActivityStatusCode.Error);
        }

        span.Stop();
    }

    /// <summary>
    /// The upstream message for a gateway request: under a route, the route's prefix is replaced by
    /// the endpoint's path (/users/42 under route /users → {path}/42); else the app-relative path.
    /// </summary>
    internal static HttpRequestMessage CreateRequest(string method, EndpointModel endpoint, GatewayRequest gateway)
    {
        var target = gateway.Target;
        if (gateway.Route is not { } route) return CreateRequest(method, endpoint, target.Path, target.Query);
        var rest = route.Rest(target.PathOrRoot);
        var baseOnly = rest.IsEmpty && endpoint.Config.Path.Length > 0;
        return NewMessage(method, string.Concat(endpoint.BaseAddress, baseOnly ? "" : rest.IsEmpty ? "/" : rest, target.Query), endpoint);
    }

    /// <summary>
    /// The upstream message for <paramref name="endpoint"/>: target = endpoint base + app-relative
    /// <paramref name="path"/> (percent-encoding kept) + <paramref name="query"/> ("" or with its '?').
    /// Also used by aggregate parts.
    /// </summary>
    internal static HttpRequestMessage CreateRequest(string method, EndpointModel endpoint, ReadOnlySpan<char> path, ReadOnlySpan<char> query) =>
        NewMessage(method, path.IsEmpty
            ? string.Concat(endpoint.BaseAddress, "/", query)
            : string.Concat(endpoint.BaseAddress, path, query), endpoint);

    /// <summary>The message in the endpoint's <c>protocol</c>: HTTP/1.1, or HTTP/2 exactly (TLS or h2c by prior knowledge).</summary>
    private static HttpRequestMessage NewMessage(string method, string uri, EndpointModel endpoint) =>
        new(HttpMethod.Parse(method), new Uri(uri, UriKind.Absolute))
        {
            Version = endpoint.Version,
            VersionPolicy = endpoint.VersionPolicy,
        };

    /// <summary>
    /// How a send that threw ended, once a client abort is ruled out: cancelled = the app's timeout;
    /// no connection (and no body byte read) = safe to retry elsewhere; anything else = failed.
    /// </summary>
    internal static ForwardOutcome ClassifySendFailure(Exception e, bool bodyStarted) => e switch
    {
        OperationCanceledException => ForwardOutcome.Timeout,
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError } when !bodyStarted
            => ForwardOutcome.ConnectFailed,
        _ => ForwardOutcome.RequestFailed,
    };

    /// <summary>Whether the client's request has a body (a length above 0, or chunked). Also used by aggregates.</summary>
    internal static bool HasBody(HttpContext context)
    {
        var length = context.Request.ContentLength;
        if (length is not null) return length > 0;
        return context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? false;
    }

    /// <summary>Step 1's header copy; internal so bench/Valet.Benchmarks can measure it alone.</summary>
    internal static void CopyRequestHeaders(HttpRequest request, HttpRequestMessage upstream, AppModel app)
    {
        foreach (var header in request.Headers)
        {
            var name = header.Key;
            if (IsDroppedRequestHeader(name, app))
            {
                if (string.Equals(name, "TE", StringComparison.OrdinalIgnoreCase) && IsTrailers(header.Value))
                {
                    upstream.Headers.TryAddWithoutValidation("TE", "trailers");
                }

                continue;
            }

            if (HeaderRules.Content.Contains(name))
            {
                upstream.Content?.Headers.TryAddWithoutValidation(name, AsEnumerable(header.Value));
            }
            else
            {
                upstream.Headers.TryAddWithoutValidation(name, AsEnumerable(header.Value));
            }
        }

        var connection = request.Headers.Connection;
        if (connection.Count > 0) RemoveConnectionListed(connection, upstream.Headers);
    }

    /// <summary>
    /// Whether a client's request header (or request trailer) stays behind: pseudo-headers,
    /// hop-by-hop ones, those the gateway sets itself, <c>X-Valet-*</c>, the app's credential
    /// header and its strip list. One rule for headers and trailers alike.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool IsDroppedRequestHeader(string name, AppModel app) =>
        name.Length == 0 || name[0] == ':' || HeaderRules.HopByHop.Contains(name) || HeaderRules.GatewaySetRequest.Contains(name)
        || HeaderRules.IsValetHeader(name)
        || (app.Authenticator is { } authenticator && authenticator.IsCredentialHeader(name))
        || app.StripRequestHeaders.Matches(name);

    /// <summary>
    /// The headers Valet sets itself: X-Forwarded-*, X-Request-Id, the consumer and <c>traceparent</c>
    /// (the attempt's span, the request's, or the client's context; a new trace when the client sent
    /// none). Also used by aggregate parts.
    /// </summary>
    internal static void AddGatewayHeaders(HttpContext context, HttpRequestHeaders headers, GatewayRequest gateway, Activity? span = null)
    {
        headers.TryAddWithoutValidation(Pipeline.RequestObserver.TraceParentHeader, gateway.Record.OutgoingTraceParent(span));
        if (context.Connection.RemoteIpAddress is { } ip) headers.TryAddWithoutValidation("X-Forwarded-For", ForwardedFor(ip));

        headers.TryAddWithoutValidation("X-Forwarded-Proto", context.Request.Scheme);
        if (context.Request.Host.HasValue) headers.TryAddWithoutValidation("X-Forwarded-Host", context.Request.Host.Value);
        headers.TryAddWithoutValidation("X-Request-Id", gateway.RequestId);
        if (gateway.Consumer is { } consumer) headers.TryAddWithoutValidation(HeaderRules.ConsumerHeader, consumer.Id);
    }

    /// <summary>The client's address as X-Forwarded-For gives it (an IPv4-mapped IPv6 address as IPv4).</summary>
    internal static string ForwardedFor(IPAddress ip) => (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToString();

    /// <summary>
    /// What a failure to read the client's body means: past the size limit (413) or too slow (408),
    /// as Kestrel reports with <see cref="BadHttpRequestException"/>, else malformed, such as a bad
    /// chunk size (400; Kestrel throws a plain <see cref="IOException"/> for some). Such a failure
    /// is the client's, so it is answered as Kestrel would, never as a failure of the endpoint.
    /// </summary>
    internal static ForwardOutcome ClientBodyFailure(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }:
                    return ForwardOutcome.RequestBodyTooLarge;
                case BadHttpRequestException { StatusCode: StatusCodes.Status408RequestTimeout }:
                    return ForwardOutcome.RequestBodyTimedOut;
            }
        }

        return ForwardOutcome.RequestBodyInvalid;
    }

    internal static void CopyResponseHead(HttpContext context, HttpResponseMessage response, AppModel app)
    {
        var target = context.Response;
        target.StatusCode = (int)response.StatusCode;
        var reason = response.ReasonPhrase;
        if (!string.IsNullOrEmpty(reason) && !HeaderRules.HasUnsafeCharacters(reason))
        {
            context.Features.Get<IHttpResponseFeature>()!.ReasonPhrase = reason;
        }

        CopyResponseHeaders(response.Headers, target.Headers, app.StripResponseHeaders);
        CopyResponseHeaders(response.Content.Headers, target.Headers, app.StripResponseHeaders);
        if (response.Headers.Connection.Count > 0)
        {
            foreach (var listed in response.Headers.Connection) target.Headers.Remove(listed);
        }
    }

    /// <summary>
    /// Copies backend headers, except hop-by-hop and stripped ones. Headers the gateway already set
    /// (request id, rate-limit figures, CORS) win over the backend's; <c>Vary</c> is merged.
    /// </summary>
    internal static void CopyResponseHeaders(HttpHeaders source, IHeaderDictionary target, HeaderFilter strip)
    {
        foreach (var header in source.NonValidated)
        {
            var name = header.Key;
            if (HeaderRules.HopByHop.Contains(name) || strip.Matches(name)) continue;
            var value = ToStringValues(header.Value);
            if (value.Count == 0) continue;
            if (target.TryGetValue(name, out var existing))
            {
                if (string.Equals(name, "Vary", StringComparison.OrdinalIgnoreCase)) target[name] = StringValues.Concat(existing, value);
                continue;
            }

            target[name] = value;
        }
    }

    internal static async ValueTask<ForwardResult> CopyBodyAsync(HttpContext context, HttpResponseMessage response, Diagnostics.RequestRecord record,
        CancellationToken token)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSizeFor(response.Content.Headers.ContentLength));
        long copied = 0;
        record.BytesOut = 0;
        try
        {
            using var source = await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
            var body = context.Response.Body;
            while (true)
            {
                int read;
                try
                {
                    read = await source.ReadAsync(buffer.AsMemory(), token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException)
                {
                    if (context.RequestAborted.IsCancellationRequested) return ForwardOutcome.ClientAborted;
                    context.Abort();
                    return new ForwardResult(ForwardOutcome.ResponseFailed, e);
                }

                if (read == 0) break;
                try
                {
                    await body.WriteAsync(buffer.AsMemory(0, read), token).ConfigureAwait(false);
                    copied += read;
                    record.BytesOut = copied;
                }
                catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
                {
                    return ForwardOutcome.ClientAborted;
                }
            }
        }
        catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException)
        {
            if (context.RequestAborted.IsCancellationRequested) return ForwardOutcome.ClientAborted;
            context.Abort();
            return new ForwardResult(ForwardOutcome.ResponseFailed, e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        CopyTrailers(context, response);
        return ForwardOutcome.Success;
    }

    /// <summary>
    /// A copy buffer as large as the body when its length is known and small, else 64 KiB: under
    /// hundreds of concurrent small answers, 64 KiB each would be most of the daemon's memory.
    /// </summary>
    internal static int BufferSizeFor(long? length) =>
        length is { } known && known < ResponseBufferSize ? (int)Math.Max(known + 1, MinBufferSize) : ResponseBufferSize;

    private static void CopyTrailers(HttpContext context, HttpResponseMessage response)
    {
        var trailers = response.TrailingHeaders;
        if (!trailers.NonValidated.GetEnumerator().MoveNext() || !context.Response.SupportsTrailers()) return;
        foreach (var header in trailers.NonValidated)
        {
            var value = ToStringValues(header.Value);
            if (value.Count > 0) context.Response.AppendTrailer(header.Key, value);
        }
    }

    private static StringValues ToStringValues(HeaderStringValues values)
    {
        if (values.Count == 1)
        {
            var single = values.ToString();
            return HeaderRules.HasUnsafeCharacters(single) ? StringValues.Empty : new StringValues(single);
        }

        var array = new string[values.Count];
        var i = 0;
        foreach (var value in values)
        {
            if (HeaderRules.HasUnsafeCharacters(value)) return StringValues.Empty;
            array[i++] = value;
        }

        return new StringValues(array);
    }

    private static IEnumerable<string?> AsEnumerable(StringValues values) => values;

    internal static bool IsTrailers(StringValues values)
    {
        foreach (var value in values)
        {
            if (value is not null && value.Contains("trailers", StringComparison.OrdinalIgnoreCase)) return true;
        }

        return false;
    }

    private static void RemoveConnectionListed(StringValues connection, HttpRequestHeaders headers)
    {
        foreach (var value in connection)
        {
            if (value is null) continue;
            foreach (var token in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                headers.Remove(token);
            }
        }
    }
}
