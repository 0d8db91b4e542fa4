using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using Google.Protobuf;
using Valet.Peering.Protocol;

namespace Valet.Peering.Client;

/// <summary>
/// gRPC calls to one peer over HTTP/2 on one long-lived <see cref="SocketsHttpHandler"/>: HTTP/2 only
/// (<see cref="HttpVersionPolicy.RequestVersionExact"/>, h2c for <c>http://</c>), several connections
/// when streams run out, keep-alive pings so a dead connection is noticed, and the token as
/// <c>authorization: Bearer</c> on every call.
/// </summary>
public sealed class PeerChannel : IDisposable
{
    private readonly Uri _address;
    private readonly string? _token;
    private readonly int _maxMessageBytes;
    private readonly HttpMessageInvoker _invoker;

    public PeerChannel(Uri address, string? token, int maxMessageBytes = GrpcHeaders.DefaultMaxMessageBytes, TimeSpan? connectTimeout = null,
        Func<System.Security.Cryptography.X509Certificates.X509Certificate2?, bool>? validateCertificate = null)
    {
        _address = address;
        _token = token;
        _maxMessageBytes = maxMessageBytes;
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            EnableMultipleHttp2Connections = true,
            KeepAlivePingDelay = TimeSpan.FromSeconds(1),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(1),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
            ConnectTimeout = connectTimeout ?? TimeSpan.FromSeconds(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        };
        if (address.Scheme == Uri.UriSchemeHttps)
        {
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                ApplicationProtocols = [SslApplicationProtocol.Http2],
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                    validateCertificate is null || validateCertificate(certificate as System.Security.Cryptography.X509Certificates.X509Certificate2),
            };
        }

        _invoker = new HttpMessageInvoker(handler, disposeHandler: true);
    }

    public Uri Address => _address;

    /// <summary>One request message, one response message.</summary>
    public async Task<TResponse> UnaryAsync<TResponse>(string method, IMessage request, MessageParser<TResponse> parser, TimeSpan? timeout = null,
        IEnumerable<KeyValuePair<string, string>>? metadata = null, CancellationToken cancellationToken = default)
        where TResponse : class, IMessage<TResponse>
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout is { } t) cts.CancelAfter(t);
        var content = new ByteArrayContent(GrpcFrameWriter.Frame(request));
        content.Headers.ContentType = new MediaTypeHeaderValue(GrpcHeaders.ContentType);
        using var message = NewRequest(method, content, timeout, metadata);
        try
        {
            using var response = new GrpcResponse(await _invoker.SendAsync(message, cts.Token).ConfigureAwait(false), _maxMessageBytes);
            if (response.HeaderStatus() is { } settled) throw new GrpcException(settled);
            var first = await response.ReadAsync(parser, cts.Token).ConfigureAwait(false);
            if (first.Error is { } error) throw new GrpcException(error);
            if (first.Message is null)
            {
                var status = response.TrailerStatus();
                throw new GrpcException(status.IsOk ? new GrpcStatus(GrpcStatusCode.Internal, "OK without a response message") : status);
            }

            var end = await response.ReadAsync(parser, cts.Token).ConfigureAwait(false);
            if (end.Error is { } late) throw new GrpcException(late);
            if (end.Message is not null) throw new GrpcException(new GrpcStatus(GrpcStatusCode.Internal, "more than one response message for a unary call"));
            var final = response.TrailerStatus();
            if (!final.IsOk) throw new GrpcException(final);
            return first.Message;
        }
        catch (Exception e) when (e is not GrpcException)
        {
            throw new GrpcException(GrpcClientErrors.Map(e, timeout is not null && cts.IsCancellationRequested && !cancellationToken.IsCancellationRequested), e);
        }
    }

    /// <summary>Starts a bidirectional streaming call; messages are written and read on the returned call.</summary>
    public DuplexCall StartDuplex(string method, TimeSpan? timeout = null, IEnumerable<KeyValuePair<string, string>>? metadata = null,
        CancellationToken cancellationToken = default)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout is { } t) cts.CancelAfter(t);
        var content = new StreamingContent();
        var request = NewRequest(method, content, timeout, metadata);
        var send = _invoker.SendAsync(request, cts.Token);
        return new DuplexCall(content, send, cts, _maxMessageBytes, timeout is not null);
    }

    private HttpRequestMessage NewRequest(string method, HttpContent content, TimeSpan? timeout, IEnumerable<KeyValuePair<string, string>>? metadata)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_address, method))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        request.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        request.Headers.TryAddWithoutValidation("user-agent", GrpcHeaders.UserAgent);
        if (_token is not null) request.Headers.TryAddWithoutValidation(GrpcHeaders.Authorization, "Bearer " + _token);
        if (timeout is { } t) request.Headers.TryAddWithoutValidation(GrpcHeaders.Timeout, GrpcTimeout.Format(t));
        if (metadata is not null)
        {
            foreach (var (name, value) in metadata) request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    public void Dispose() => _invoker.Dispose();
}
