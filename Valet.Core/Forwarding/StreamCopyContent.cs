using System.Buffers;
using System.Net;

namespace Valet.Core.Forwarding;

/// <summary>
/// Request content that streams the client's body to the endpoint as it arrives, through one
/// pooled buffer, without holding the body whole. With <paramref name="flush"/> every chunk is
/// flushed as it is written (HTTP/2 endpoints: a streaming call's messages go out at once).
/// </summary>
internal sealed class StreamCopyContent(Stream source, bool flush = false) : HttpContent
{
    /// <summary>Set once any byte of the body was read from the client.</summary>
    public bool Started { get; private set; }

    /// <summary>Body bytes read from the client and written to the endpoint so far.</summary>
    public long Bytes { get; private set; }

    /// <summary>
    /// Why reading the client's body failed (Kestrel found it malformed, too slow or too large),
    /// or null: tells a failure of the client apart from one of the endpoint.
    /// </summary>
    public Exception? ReadFailure { get; private set; }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        Started = true;
        var buffer = ArrayPool<byte>.Shared.Rent(HttpForwarder.BufferSizeFor(Headers.ContentLength));
        try
        {
            while (true)
            {
                int read;
                try
                {
                    read = await source.ReadAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
                }
                catch (IOException e)
                {
                    ReadFailure = e;
                    throw;
                }

                if (read == 0) break;
                await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                Bytes += read;
                if (flush) await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }
}
