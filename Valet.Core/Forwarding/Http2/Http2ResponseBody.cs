using System.Buffers;
using System.IO.Pipelines;

namespace Valet.Core.Forwarding.Http2;

/// <summary>
/// The response body as the forwarder reads it: DATA payloads the connection's reading side put
/// into a pipe. Every octet taken out is credited back to the endpoint
/// (<see cref="Http2Connection.CreditAsync"/>), so the endpoint sends no faster than the client
/// reads, and the pipe never holds more than the receive window (64 KiB).
/// </summary>
internal sealed class Http2ResponseBody(PipeReader source, Http2Connection connection) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty) return 0;
        ReadResult result;
        while (true)
        {
            result = await source.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (!result.Buffer.IsEmpty) break;
            source.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted) return 0;
        }

        var available = result.Buffer;

        var count = (int)Math.Min(available.Length, buffer.Length);
        available.Slice(0, count).CopyTo(buffer.Span);
        source.AdvanceTo(available.GetPosition(count));
        await connection.CreditAsync(count).ConfigureAwait(false);
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        // The connection owns the pipe and completes it; reading stops here.
        if (disposing) source.Complete();
        base.Dispose(disposing);
    }
}
