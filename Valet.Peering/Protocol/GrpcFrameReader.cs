using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Google.Protobuf;

namespace Valet.Peering.Protocol;

/// <summary>
/// Reads length-prefixed gRPC messages (1 byte compressed flag, 4 bytes big-endian length, payload)
/// from a pipe. Messages do not line up with HTTP/2 DATA frames, so a message is reassembled across
/// as many reads as it takes. A message over the size limit ends the stream with RESOURCE_EXHAUSTED;
/// a stream that ends inside a message, a compressed message, or bytes that are not protobuf end it
/// with INTERNAL. The reader never throws for bad input.
/// </summary>
public sealed class GrpcFrameReader(PipeReader reader, int maxMessageBytes = GrpcHeaders.DefaultMaxMessageBytes)
{
    private const int PrefixLength = 5;

    /// <summary>Bytes of complete messages read so far, prefixes included.</summary>
    public long BytesRead { get; private set; }

    /// <summary>Messages read so far.</summary>
    public long MessagesRead { get; private set; }

    public async ValueTask<GrpcRead<T>> ReadAsync<T>(MessageParser<T> parser, CancellationToken cancellationToken)
        where T : class, IMessage<T>
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (buffer.Length >= PrefixLength)
            {
                var (flag, length) = ReadPrefix(buffer);
                if (flag != 0)
                {
                    reader.AdvanceTo(buffer.Start, buffer.End);
                    return Fail<T>(flag == 1
                        ? new GrpcStatus(GrpcStatusCode.Internal, "compressed message, but no grpc-encoding was agreed")
                        : new GrpcStatus(GrpcStatusCode.Internal, $"invalid compressed flag {flag} in message prefix"));
                }

                if (length > (uint)maxMessageBytes)
                {
                    reader.AdvanceTo(buffer.Start, buffer.End);
                    return Fail<T>(new GrpcStatus(GrpcStatusCode.ResourceExhausted,
                        $"message of {length} bytes is larger than the limit of {maxMessageBytes} bytes"));
                }

                if (buffer.Length >= PrefixLength + length)
                {
                    var payload = buffer.Slice(PrefixLength, length);
                    T message;
                    try
                    {
                        message = parser.ParseFrom(payload);
                    }
                    catch (InvalidProtocolBufferException e)
                    {
                        reader.AdvanceTo(payload.End);
                        return Fail<T>(new GrpcStatus(GrpcStatusCode.Internal, "message is not valid protobuf: " + e.Message));
                    }

                    reader.AdvanceTo(payload.End);
                    var bytes = PrefixLength + (int)length;
                    BytesRead += bytes;
                    MessagesRead++;
                    return new GrpcRead<T>(message, null, bytes);
                }
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                var empty = buffer.IsEmpty;
                reader.AdvanceTo(buffer.End);
                return empty && !result.IsCanceled
                    ? GrpcRead<T>.End
                    : Fail<T>(new GrpcStatus(GrpcStatusCode.Internal, $"stream ended inside a message ({buffer.Length} bytes left over)"));
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static (byte Flag, uint Length) ReadPrefix(in ReadOnlySequence<byte> buffer)
    {
        Span<byte> prefix = stackalloc byte[PrefixLength];
        buffer.Slice(0, PrefixLength).CopyTo(prefix);
        return (prefix[0], BinaryPrimitives.ReadUInt32BigEndian(prefix[1..]));
    }

    private static GrpcRead<T> Fail<T>(GrpcStatus status)
        where T : class => new(null, status, 0);
}
