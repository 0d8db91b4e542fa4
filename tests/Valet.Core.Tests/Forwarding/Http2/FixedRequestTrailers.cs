using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Valet.Core.Tests.Forwarding.Http2;

/// <summary>Request trailers as Kestrel hands them out once a body was read to its end.</summary>
internal sealed class FixedRequestTrailers(IHeaderDictionary trailers, bool available = true) : IHttpRequestTrailersFeature
{
    public bool Available { get; } = available;

    public IHeaderDictionary Trailers { get; } = trailers;
}
