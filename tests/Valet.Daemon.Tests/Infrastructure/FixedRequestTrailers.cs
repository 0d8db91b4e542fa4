using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Valet.Daemon.Tests.Infrastructure;

/// <summary>Request trailers as Kestrel hands them out once a body was read to its end (for driving Valet's HTTP/2 client as a test client).</summary>
public sealed class FixedRequestTrailers(IHeaderDictionary trailers) : IHttpRequestTrailersFeature
{
    public bool Available => true;

    public IHeaderDictionary Trailers { get; } = trailers;
}
