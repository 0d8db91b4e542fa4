using System.Buffers.Binary;
using System.IO.Pipelines;
using Valet.Peering.Protocol;
using Valet.Peering.Protocol.V1;

namespace Valet.Peering.Tests.Protocol;

public sealed class GrpcFrameReaderTests
{
    private static SyncMessage Hello(string id) => new() { Hello = new Hello { NodeId = id } };

    [Fact]
    public async Task ReadAsync_MessagesSplitAcrossWritesAtEveryByte_Reassembled()
    {
        var bytes = GrpcFrameWriter.Frame(Hello("a")).Concat(GrpcFrameWriter.Frame(new SyncMessage())).Concat(GrpcFrameWriter.Frame(Hello("bcd"))).ToArray();
        var pipe = new Pipe();
        var reader = new GrpcFrameReader(pipe.Reader);
        var writing = Task.Run(async () =>
        {
            foreach (var b in bytes) await pipe.Writer.WriteAsync(new[] { b });
            await pipe.Writer.CompleteAsync();
        });

        var first = await reader.ReadAsync(SyncMessage.Parser, default);
        var empty = await reader.ReadAsync(SyncMessage.Parser, default);
        var third = await reader.ReadAsync(SyncMessage.Parser, default);
        var end = await reader.ReadAsync(SyncMessage.Parser, default);
        await writing;

        first.Message!.Hello.NodeId.Should().Be("a");
        empty.Message.Should().NotBeNull("zero-length messages are legal");
        third.Message!.Hello.NodeId.Should().Be("bcd");
        end.IsEnd.Should().BeTrue();
    }

    [Fact]
    public async Task ReadAsync_LengthOverTheLimit_ResourceExhausted()
    {
        var prefix = new byte[5];
        BinaryPrimitives.WriteUInt32BigEndian(prefix.AsSpan(1), 100);
        var reader = new GrpcFrameReader(PipeReader.Create(new MemoryStream(prefix)), maxMessageBytes: 99);

        var read = await reader.ReadAsync(SyncMessage.Parser, default);

        read.Error!.Value.Code.Should().Be(GrpcStatusCode.ResourceExhausted);
    }

    [Fact]
    public async Task ReadAsync_StreamEndsInsideAMessage_Internal()
    {
        var frame = GrpcFrameWriter.Frame(Hello("abcdef"));
        var reader = new GrpcFrameReader(PipeReader.Create(new MemoryStream(frame[..^2])));

        var read = await reader.ReadAsync(SyncMessage.Parser, default);

        read.Error!.Value.Code.Should().Be(GrpcStatusCode.Internal);
    }

    [Fact]
    public async Task ReadAsync_CompressedFlagWithoutEncoding_Internal()
    {
        var frame = GrpcFrameWriter.Frame(Hello("a"));
        frame[0] = 1;
        var reader = new GrpcFrameReader(PipeReader.Create(new MemoryStream(frame)));

        (await reader.ReadAsync(SyncMessage.Parser, default)).Error!.Value.Code.Should().Be(GrpcStatusCode.Internal);
    }

    [Fact]
    public async Task ReadAsync_PayloadNotProtobuf_Internal()
    {
        var frame = new byte[] { 0, 0, 0, 0, 3, 0xFF, 0xFF, 0xFF };
        var reader = new GrpcFrameReader(PipeReader.Create(new MemoryStream(frame)));

        (await reader.ReadAsync(SyncMessage.Parser, default)).Error!.Value.Code.Should().Be(GrpcStatusCode.Internal);
    }
}
