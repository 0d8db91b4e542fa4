using System.Diagnostics;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Valet.Core.Pipeline;
using Valet.Core.Routing;

namespace Valet.Core.Forwarding.Http1;

/// <summary>
/// One bodyless request to a plain-HTTP/1.1 endpoint on Valet's own client: the head written
/// straight from Kestrel's request headers (the same rules as the pooled client's path, see
/// <see cref="HttpForwarder.CopyRequestHeaders"/> and <see cref="HttpForwarder.AddGatewayHeaders"/>),
/// sent on a pooled keep-alive connection, and the answer's head read. A pooled connection that
/// fails before any byte of an answer (the endpoint closed it while it was idle) is replaced by a
/// new one once, as SocketsHttpHandler does; the request has no body, so sending it again is safe.
/// </summary>
internal static class Http1Exchange
{
    public static async ValueTask<(Http1Connection Connection, Http1ResponseHead Head)> SendAsync(Http1Pool pool, HttpContext context,
        GatewayRequest gateway, EndpointModel endpoint, Activity? span, CancellationToken token)
    {
        var connection = pool.TryTake();
        var pooled = connection is not null;
        while (true)
        {
            connection ??= await pool.ConnectAsync(token).ConfigureAwait(false);
            try
            {
                WriteHead(connection.Head, context, gateway, endpoint, pool.HostHeader, span);
                await connection.SendAsync(connection.Head.Written, token).ConfigureAwait(false);
                var head = await ReadHeadAsync(connection, context.Request.Method, token).ConfigureAwait(false);
                return (connection, head);
            }
            catch (Exception e) when (pooled && !connection.ReceivedAny && !token.IsCancellationRequested
                                      && e is SocketException or IOException and not Http1RequestException and not Http1ResponseException)
            {
                connection.Dispose();
                connection = null;
                pooled = false;
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        }
    }

    /// <summary>Reads heads until a final one (1xx interim answers are skipped).</summary>
    private static async ValueTask<Http1ResponseHead> ReadHeadAsync(Http1Connection connection, string method, CancellationToken token)
    {
        var head = connection.ResponseHead;
        while (true)
        {
            while (!head.TryParse(connection.Buffered))
            {
                if (!await connection.FillAsync(Http1Connection.MaxHeadBytes, token).ConfigureAwait(false))
                {
                    throw connection.ReceivedAny
                        ? new Http1ResponseException("the endpoint closed the connection inside the answer's head")
                        : new IOException("the endpoint closed the connection without answering");
                }
            }

            if (head.Status is >= 200 or 101) break;
            connection.Consume(head.Length);
        }

        if (head.Status == 101) throw new Http1ResponseException("the endpoint switched protocols (101) though no upgrade was asked");
        return head;
    }

    /// <summary>Request line, <c>Host</c>, the client's headers that travel, then the gateway's own.</summary>
    internal static void WriteHead(Http1HeadWriter writer, HttpContext context, GatewayRequest gateway, EndpointModel endpoint, string host, Activity? span)
    {
        var request = context.Request;
        var app = gateway.App;
        var target = gateway.Target;
        writer.Reset();
        if (gateway.Route is { } route)
        {
            var rest = route.Rest(target.PathOrRoot);
            var baseOnly = rest.IsEmpty && endpoint.Config.Path.Length > 0;
            writer.RequestLine(request.Method, endpoint.Config.Path, baseOnly ? "" : rest.IsEmpty ? "/" : rest, target.Query, host);
        }
        else
        {
            writer.RequestLine(request.Method, endpoint.Config.Path, target.Path.IsEmpty ? "/" : target.Path, target.Query, host);
        }

        // Browsers send "Connection: keep-alive" on every request: only other tokens name headers.
        var connection = request.Headers.Connection;
        var listed = connection.Count > 0 ? ListedNames(connection) : null;
        foreach (var header in request.Headers)
        {
            var name = header.Key;
            if (HttpForwarder.IsDroppedRequestHeader(name, app))
            {
                if (string.Equals(name, "TE", StringComparison.OrdinalIgnoreCase) && HttpForwarder.IsTrailers(header.Value)) writer.Header("TE", "trailers");
                continue;
            }

            // Without a body there is no content, so its headers stay behind (as on the pooled client).
            if (HeaderRules.Content.Contains(name) || (listed is not null && Contains(listed, name))) continue;
            writer.Header(name, header.Value);
        }

        writer.Header(Pipeline.RequestObserver.TraceParentHeader, gateway.Record.OutgoingTraceParent(span));
        if (context.Connection.RemoteIpAddress is { } ip) writer.Header("X-Forwarded-For", HttpForwarder.ForwardedFor(ip));
        writer.Header("X-Forwarded-Proto", request.Scheme);
        if (request.Host.HasValue) writer.Header("X-Forwarded-Host", request.Host.Value);
        writer.Header("X-Request-Id", gateway.RequestId);
        if (gateway.Consumer is { } consumer) writer.Header(HeaderRules.ConsumerHeader, consumer.Id);
        writer.End();
    }

    /// <summary>
    /// The header names the client's <c>Connection</c> header lists (its tokens other than
    /// keep-alive and close), which are hop-by-hop; null when it lists none, as nearly always.
    /// </summary>
    private static List<string>? ListedNames(StringValues connection)
    {
        List<string>? names = null;
        foreach (var value in connection)
        {
            if (value is null) continue;
            foreach (var range in value.AsSpan().Split(','))
            {
                var token = value.AsSpan()[range].Trim();
                if (token.Length > 0 && !token.Equals("keep-alive", StringComparison.OrdinalIgnoreCase) && !token.Equals("close", StringComparison.OrdinalIgnoreCase))
                {
                    (names ??= []).Add(token.ToString());
                }
            }
        }

        return names;
    }

    private static bool Contains(List<string> names, string name)
    {
        foreach (var listed in names)
        {
            if (string.Equals(listed, name, StringComparison.OrdinalIgnoreCase)) return true;
        }

        return false;
    }
}
