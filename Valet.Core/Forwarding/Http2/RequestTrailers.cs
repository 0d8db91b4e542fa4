using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using Valet.Core.Routing;

namespace Valet.Core.Forwarding.Http2;

/// <summary>
/// The client's request trailers on their way to an HTTP/2 endpoint, filtered by the same rule
/// as request headers (<see cref="HttpForwarder.IsDroppedRequestHeader"/>: no hop-by-hop, pseudo,
/// credential, stripped, gateway-set or <c>X-Valet-*</c> fields). Kestrel has them once the body
/// was read to its end.
/// </summary>
internal sealed class RequestTrailers(HttpRequest request, AppModel app)
{
    /// <summary>
    /// The rule for Valet's own HTTP/2 client (<see cref="Http2TrailerClient"/>), checked only for
    /// <c>http2</c>/<c>h2c</c> endpoints and requests with a body: the client announced trailers
    /// with a <c>Trailer</c> header (RFC 9110 §6.6.2: a sender SHOULD; Apache's mod_h2 needs it)
    /// on a connection that can carry them (HTTP/1.1 chunked or HTTP/2). .NET's HTTP client has no
    /// way to send request trailers, so such a request would lose them there. Everything else stays
    /// on the pooled SocketsHttpHandler, gRPC included (it never sends request trailers).
    /// </summary>
    public static bool Announced(HttpRequest request) =>
        request.Headers.ContainsKey(HeaderNames.Trailer) && request.SupportsTrailers();

    /// <summary>
    /// Passes the client's announcement on (<c>Trailer</c> is dropped as hop-by-hop on the ordinary
    /// path), minus the names that would be filtered out: an HTTP/2 endpoint may want to know.
    /// </summary>
    public void Announce(HttpRequestMessage upstream)
    {
        List<string>? names = null;
        foreach (var value in request.Headers[HeaderNames.Trailer])
        {
            if (value is null) continue;
            foreach (var name in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (!HttpForwarder.IsDroppedRequestHeader(name, app)) (names ??= []).Add(name);
            }
        }

        if (names is not null) upstream.Headers.TryAddWithoutValidation(HeaderNames.Trailer, string.Join(", ", names));
    }

    /// <summary>
    /// Appends the trailers the client sent, filtered; nothing when there were none or the body
    /// was not read to its end. A value holding CR, LF or NUL is left out, as it is from headers.
    /// </summary>
    public void CopyTo(List<HeaderField> fields)
    {
        if (!request.CheckTrailersAvailable()) return;
        var trailers = request.HttpContext.Features.Get<IHttpRequestTrailersFeature>()!.Trailers;
        foreach (var trailer in trailers)
        {
            if (HttpForwarder.IsDroppedRequestHeader(trailer.Key, app)) continue;
            foreach (var value in trailer.Value)
            {
                if (value is not null && !HeaderRules.HasUnsafeCharacters(value)) fields.Add(new HeaderField(trailer.Key, value));
            }
        }
    }
}
