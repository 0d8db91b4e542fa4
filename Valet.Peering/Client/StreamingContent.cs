using System.Net;
using System.Net.Http.Headers;
using Valet.Peering.Protocol;

namespace Valet.Peering.Client;

/// <summary>
/// A request body written while the call runs: the handler hands over its stream, the caller writes
/// and flushes each message as it is produced, and <see cref="Complete"/> half-closes the request.
/// </summary>
public sealed class StreamingContent : HttpContent
{
    private readonly TaskCompletionSource<Stream> _stream = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public StreamingContent() => Headers.ContentType = new MediaTypeHeaderValue(GrpcHeaders.ContentType);

    /// <summary>The request stream, once the handler started sending the body.</summary>
    public Task<Stream> Stream => _stream.Task;

    /// <summary>Ends the request body (the client's half-close).</summary>
    public void Complete() => _done.TrySetResult();

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        _stream.TrySetResult(stream);
        return _done.Task;
    }

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        _stream.TrySetCanceled();
        _done.TrySetResult();
        base.Dispose(disposing);
    }
}
