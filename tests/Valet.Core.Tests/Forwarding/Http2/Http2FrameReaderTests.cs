using Valet.Core.Forwarding.Http2;

namespace Valet.Core.Tests.Forwarding.Http2;

/// <summary>Frames read whole from a connection that delivers them in arbitrary pieces.</summary>
public sealed class Http2FrameReaderTests
{
    private static byte[] Frame(int length, byte type, byte flags, uint stream, byte fill = 0xab)
    {
        var frame = new byte[9 + length];
        new Http2FrameHeader(length, (Http2FrameType)type, (Http2FrameFlags)flags, 0).Write(frame);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(5), stream);
        frame.AsSpan(9).Fill(fill);
        return frame;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(100_000)]
    public async Task Read_FramesInAnyPieces_WholeAndInOrder(int chunk)
    {
        var bytes = Frame(16384, 0x0, 0x1, 1, 0x11).Concat(Frame(0, 0x4, 0x1, 0)).Concat(Frame(5, 0xfa, 0x3, 7, 0x22)).ToArray();
        using var reader = new Http2FrameReader(new TrickleStream(bytes, chunk));

        (await reader.ReadAsync(default)).Should().BeTrue();
        reader.Header.Should().Be(new Http2FrameHeader(16384, Http2FrameType.Data, Http2FrameFlags.EndStream, 1));
        reader.Payload.ToArray().Should().OnlyContain(b => b == 0x11).And.HaveCount(16384);

        (await reader.ReadAsync(default)).Should().BeTrue();
        reader.Header.Should().Be(new Http2FrameHeader(0, Http2FrameType.Settings, Http2FrameFlags.Ack, 0));
        reader.Payload.Length.Should().Be(0);

        // A type this side does not know is still a frame: the connection decides to ignore it.
        (await reader.ReadAsync(default)).Should().BeTrue();
        reader.Header.Type.Should().Be((Http2FrameType)0xfa);
        reader.Header.StreamId.Should().Be(7);
        reader.Payload.ToArray().Should().Equal(0x22, 0x22, 0x22, 0x22, 0x22);

        (await reader.ReadAsync(default)).Should().BeFalse("the connection ended cleanly between frames");
    }

    [Fact]
    public async Task Read_ReservedBitOfStream_Ignored()
    {
        using var reader = new Http2FrameReader(new TrickleStream(Frame(0, 0x8, 0, 0x8000_0003)));

        await reader.ReadAsync(default);

        reader.Header.StreamId.Should().Be(3);
    }

    [Fact]
    public async Task Read_LengthOverTheLimit_FrameSizeErrorBeforeThePayload()
    {
        // Only the header is there: the reader must refuse without waiting for 16385 octets.
        var stream = new TrickleStream(Frame(16385, 0x0, 0, 1)[..9], chunk: 9);
        using var reader = new Http2FrameReader(stream);

        var act = async () => await reader.ReadAsync(default);

        (await act.Should().ThrowAsync<Http2ProtocolException>()).Which.Code.Should().Be(Http2ErrorCode.FrameSizeError);
        stream.Reads.Should().Be(1);
    }

    [Fact]
    public async Task Read_LargerLimit_AcceptsLargerFrames()
    {
        using var reader = new Http2FrameReader(new TrickleStream(Frame(20000, 0x0, 0, 1), chunk: 3000), maxFrameSize: 20000);

        (await reader.ReadAsync(default)).Should().BeTrue();

        reader.Payload.Length.Should().Be(20000);
    }

    [Fact]
    public async Task Read_HttpOneAnswer_RefusedAsOversizedFrame()
    {
        using var reader = new Http2FrameReader(new TrickleStream("HTTP/1.1 400 Bad Request\r\n\r\n"u8.ToArray(), chunk: 64));

        var act = async () => await reader.ReadAsync(default);

        await act.Should().ThrowAsync<Http2ProtocolException>().WithMessage("*4740180-octet payload*");
    }

    [Theory]
    [InlineData(4)]
    [InlineData(9 + 3)]
    public async Task Read_EndInsideAFrame_IOException(int cut)
    {
        using var reader = new Http2FrameReader(new TrickleStream(Frame(10, 0x0, 0, 1)[..cut], chunk: 2));

        var act = async () => await reader.ReadAsync(default);

        await act.Should().ThrowAsync<IOException>().WithMessage("*closed the connection inside a frame*");
    }
}
