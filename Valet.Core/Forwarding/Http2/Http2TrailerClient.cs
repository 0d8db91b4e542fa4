using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Valet.Core.Forwarding.Http2;

/// <summary>
/// Valet's own HTTP/2 client, for the one thing SocketsHttpHandler cannot do: send request
/// trailers (<see cref="RequestTrailers.Announced"/> says when it is used). Per app, next to the
/// app's <see cref="HttpMessageInvoker"/>, and connecting the way it does: the same connect
/// timeout, TLS with the same certificate check (the system's trust store and the endpoint's host
/// name, unless the app state was given a callback), ALPN "h2" for <c>http2</c> endpoints, prior
/// knowledge for <c>h2c</c>. Failures surface as the handler's do, so the forwarder maps them to
/// the same outcomes: <see cref="HttpRequestException"/> with
/// <see cref="HttpRequestError.ConnectionError"/> or <see cref="HttpRequestError.NameResolutionError"/>
/// when no connection could be made, <see cref="OperationCanceledException"/> for the caller's
/// token and for the connect timeout, another <see cref="HttpRequestException"/> for the rest.
/// </summary>
public sealed class Http2TrailerClient(RemoteCertificateValidationCallback? certificateValidation, TimeSpan connectTimeout)
{
    private long _attempts;

    /// <summary>Requests this client was given so far, whether or not a connection could be made (each gets a connection of its own).</summary>
    public long Attempts => Interlocked.Read(ref _attempts);

    /// <summary>
    /// Connects to the endpoint <paramref name="request"/> names and sends it; the returned
    /// connection holds the response (<see cref="Http2Connection.Response"/>) and must be disposed
    /// once the response was read, which also stops the body if it is still being sent.
    /// </summary>
    internal async Task<Http2Connection> SendAsync(HttpRequestMessage request, RequestTrailers? trailers, CancellationToken token)
    {
        var uri = request.RequestUri ?? throw new ArgumentException("the request has no URI", nameof(request));
        Interlocked.Increment(ref _attempts);
        var transport = await ConnectAsync(uri, token).ConfigureAwait(false);
        var connection = new Http2Connection(transport);
        try
        {
            await connection.SendAsync(request, trailers, token).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<Stream> ConnectAsync(Uri uri, CancellationToken token)
    {
        // The connect timeout covers TCP and TLS, as SocketsHttpHandler's ConnectTimeout does.
        using var connecting = CancellationTokenSource.CreateLinkedTokenSource(token);
        connecting.CancelAfter(connectTimeout);
        var host = uri.DnsSafeHost;
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, uri.Port, connecting.Token).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            var error = e.SocketErrorCode is SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData
                ? HttpRequestError.NameResolutionError
                : HttpRequestError.ConnectionError;
            throw new HttpRequestException(error, $"{e.Message} ({uri.Host}:{uri.Port})", e);
        }
        catch (OperationCanceledException e) when (!token.IsCancellationRequested)
        {
            socket.Dispose();
            throw new TaskCanceledException($"no connection to {uri.Host}:{uri.Port} within {connectTimeout.TotalSeconds}s", new TimeoutException(e.Message, e));
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var stream = new NetworkStream(socket, ownsSocket: true);
        if (!string.Equals(uri.Scheme, Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase)) return stream;

        var tls = new SslStream(stream, leaveInnerStreamOpen: false);
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = host,
                ApplicationProtocols = [SslApplicationProtocol.Http2],
                RemoteCertificateValidationCallback = certificateValidation,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            }, connecting.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw new HttpRequestException(HttpRequestError.SecureConnectionError, $"the TLS handshake with {uri.Host}:{uri.Port} failed: {e.Message}", e);
        }
        catch (OperationCanceledException e) when (!token.IsCancellationRequested)
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw new TaskCanceledException($"no TLS connection to {uri.Host}:{uri.Port} within {connectTimeout.TotalSeconds}s", new TimeoutException(e.Message, e));
        }
        catch
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        if (tls.NegotiatedApplicationProtocol != SslApplicationProtocol.Http2)
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw new HttpRequestException(HttpRequestError.VersionNegotiationError,
                $"{uri.Host}:{uri.Port} did not agree to HTTP/2 by ALPN; its endpoint is configured with protocol \"http2\"");
        }

        return tls;
    }
}
