using System.Buffers;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Valet.Core.Diagnostics;
using Valet.Core.Pipeline;
using Valet.Core.Routing;

namespace Valet.Core.Forwarding;

/// <summary>
/// Tunnels a WebSocket through the gateway once the app's policies admitted its opening request:
/// 1. Open the WebSocket at the endpoint: HTTP/1.1 Upgrade to an <c>http1</c> endpoint, HTTP/2
///    extended CONNECT (RFC 8441) to an <c>http2</c>/<c>h2c</c> one, translating the handshake
///    headers when client and endpoint speak different versions; the app's timeout runs until the
///    endpoint answers.
/// 2. An answer other than the opening (a 4xx, a 3xx) is relayed as an ordinary response.
/// 3. Else the client's opening is accepted (101, or 200 on HTTP/2) with the endpoint's headers,
///    and bytes are relayed both ways, frames untouched, until either side ends its stream; then
///    the other side is closed too.
/// 4. No byte either way for the app's <c>webSocketIdleTimeout</c> closes both sides.
/// The opening is one request: it was authenticated, counted against the rate limit and balanced once.
/// </summary>
public sealed class WebSocketTunnel(TimeProvider time, ILogger<WebSocketTunnel> logger)
{
    private const int BufferSize = 8 * 1024;
    private const string AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private const string KeyHeader = "Sec-WebSocket-Key";
    private const string AcceptHeader = "Sec-WebSocket-Accept";

    /// <summary>How one direction of the relay ended.</summary>
    private enum PumpEnd
    {
        /// <summary>The reading side ended its stream.</summary>
        Ended,

        /// <summary>A read or write failed (a reset, a closed stream).</summary>
        Broken,

        /// <summary>The relay was cancelled: idle, client abort, or the other direction ended.</summary>
        Cancelled,
    }

    internal async ValueTask<ForwardResult> ForwardAsync(HttpContext context, GatewayRequest gateway, EndpointModel endpoint, WebSocketKind kind)
    {
        var app = gateway.App;
        var request = context.Request;

        // 1. the opening toward the endpoint
        var upstream = HttpForwarder.CreateRequest(endpoint.IsHttp2 ? HttpMethods.Connect : HttpMethods.Get, endpoint, gateway);
        HttpForwarder.CopyRequestHeaders(request, upstream, app);
        HttpForwarder.AddGatewayHeaders(context, upstream.Headers, gateway);
        if (endpoint.IsHttp2)
        {
            upstream.Headers.Protocol = WebSocketRequest.Protocol;
            upstream.Headers.Remove(KeyHeader);
        }
        else
        {
            upstream.Headers.TryAddWithoutValidation("Connection", "Upgrade");
            upstream.Headers.TryAddWithoutValidation("Upgrade", WebSocketRequest.Protocol);
            if (kind == WebSocketKind.ExtendedConnect) upstream.Headers.TryAddWithoutValidation(KeyHeader, NewKey());
        }

        using var timeout = new CancellationTokenSource(app.Timeout, time);
        using var clientAborted = context.RequestAborted.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), timeout);
        HttpResponseMessage response;
        try
        {
            response = await app.State.Invoker.SendAsync(upstream, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or HttpRequestException or IOException)
        {
            upstream.Dispose();
            if (context.RequestAborted.IsCancellationRequested) return ForwardOutcome.ClientAborted;
            return new ForwardResult(HttpForwarder.ClassifySendFailure(e, bodyStarted: false), e);
        }

        timeout.CancelAfter(Timeout.InfiniteTimeSpan);
        using (upstream)
        using (response)
        {
            // 2. refused by the endpoint: an ordinary answer
            var opened = endpoint.IsHttp2 ? response.StatusCode == HttpStatusCode.OK : response.StatusCode == HttpStatusCode.SwitchingProtocols;
            if (!opened)
            {
                HttpForwarder.CopyResponseHead(context, response, app);
                return await HttpForwarder.CopyBodyAsync(context, response, gateway.Record, CancellationToken.None).ConfigureAwait(false);
            }

            // 3. accept the client's opening, then relay
            var headers = context.Response.Headers;
            HttpForwarder.CopyResponseHeaders(response.Headers, headers, app.StripResponseHeaders);
            headers.Remove(AcceptHeader);
            Stream client;
            Stream server;
            try
            {
                server = await response.Content.ReadAsStreamAsync(context.RequestAborted).ConfigureAwait(false);
                if (kind == WebSocketKind.Upgrade)
                {
                    headers[AcceptHeader] = AcceptFor(request.Headers[KeyHeader].ToString());
                    headers.Upgrade = WebSocketRequest.Protocol;
                    client = await context.Features.Get<IHttpUpgradeFeature>()!.UpgradeAsync().ConfigureAwait(false);
                }
                else
                {
                    client = await context.Features.Get<IHttpExtendedConnectFeature>()!.AcceptAsync().ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
            {
                return ForwardOutcome.ClientAborted;
            }

            await using (server.ConfigureAwait(false))
            {
                return await RelayAsync(context, gateway, endpoint, client, server).ConfigureAwait(false);
            }
        }
    }

    private async Task<ForwardResult> RelayAsync(HttpContext context, GatewayRequest gateway, EndpointModel endpoint, Stream client, Stream server)
    {
        var idleTimeout = gateway.App.WebSocketIdleTimeout;
        using var stop = new CancellationTokenSource(idleTimeout, time);
        using var clientAborted = context.RequestAborted.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), stop);
        var toServer = PumpAsync(client, server, stop, idleTimeout);
        var toClient = PumpAsync(server, client, stop, idleTimeout);
        var first = await Task.WhenAny(toServer, toClient).ConfigureAwait(false);
        var idle = first.Result == PumpEnd.Cancelled && !context.RequestAborted.IsCancellationRequested;

        // Either side is done: close the other. Cancelling stops the pending read of the other direction.
        await stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(toServer, toClient).ConfigureAwait(false);
        if (idle)
        {
            Log.WebSocketIdle(logger, gateway.App.Name, endpoint.BaseAddress, idleTimeout.TotalSeconds, gateway.RequestId);
            return ForwardOutcome.Success;
        }

        return context.RequestAborted.IsCancellationRequested || (first == toServer && first.Result == PumpEnd.Broken)
            ? ForwardOutcome.ClientAborted
            : ForwardOutcome.Success;
    }

    /// <summary>Copies <paramref name="from"/> to <paramref name="to"/>, re-arming the idle timer on every read.</summary>
    private static async Task<PumpEnd> PumpAsync(Stream from, Stream to, CancellationTokenSource stop, TimeSpan idleTimeout)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            var token = stop.Token;
            while (true)
            {
                var read = await from.ReadAsync(buffer.AsMemory(), token).ConfigureAwait(false);
                if (read == 0) return PumpEnd.Ended;
                stop.CancelAfter(idleTimeout);
                await to.WriteAsync(buffer.AsMemory(0, read), token).ConfigureAwait(false);
                await to.FlushAsync(token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            return PumpEnd.Cancelled;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or HttpRequestException or InvalidOperationException)
        {
            return stop.IsCancellationRequested ? PumpEnd.Cancelled : PumpEnd.Broken;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A fresh <c>Sec-WebSocket-Key</c>, for an HTTP/2 client's WebSocket opened over HTTP/1.1.</summary>
    private static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));

    /// <summary>The <c>Sec-WebSocket-Accept</c> that answers <paramref name="key"/> (RFC 6455 §4.2.2).</summary>
    internal static string AcceptFor(string key) =>
        Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key.Trim() + AcceptGuid)));
}
