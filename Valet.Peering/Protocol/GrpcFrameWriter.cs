using System.Buffers.Binary;
using System.IO.Pipelines;
using Google.Protobuf;

namespace Valet.Peering.Protocol;

/// <summary>Writes gRPC messages: prefix and payload in one write, then a flush.</summary>
public static class GrpcFrameWriter
{
    /// <summary>The framed bytes of one uncompressed message.</summary>
    public static byte[] Frame(IMessage message)
    {
        var size = message.CalculateSize();
        var frame = new byte[5 + size];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)size);
        message.WriteTo(frame.AsSpan(5));
        return frame;
    }

    /// <summary>Writes one message and flushes it.</summary>
    public static async ValueTask WriteAsync(PipeWriter writer, IMessage message, CancellationToken cancellationToken)
    {
        Append(writer, message);
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes one message without flushing (to batch several into one flush).</summary>
    public static int Append(PipeWriter writer, IMessage message)
    {
        var size = message.CalculateSize();
        var span = writer.GetSpan(5 + size);
        span[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)size);
        message.WriteTo(span.Slice(5, size));
        writer.Advance(5 + size);
        return 5 + size;
    }
}
