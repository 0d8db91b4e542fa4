using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using FsCheck;
using FsCheck.Fluent;
using Google.Protobuf;
using Valet.Core.Tests.TestSupport;
using Valet.Peering.Protocol;
using Valet.Peering.Protocol.V1;

namespace Valet.Peering.Tests.Protocol;

/// <summary>
/// Property tests of the gRPC message decoder: whatever bytes a peer sends, in whatever pieces,
/// each read is a message, the end, or a status (never an exception), and the reader stops; valid
/// messages come back exactly as sent however the stream is cut into reads.
/// </summary>
[Trait("Category", "Reliability")]
public sealed class GrpcFrameReaderPropertyTests
{
    private const int Limit = 4096;

    private static readonly Gen<byte> AnyByte = Gen.Choose(0, 255).Select(b => (byte)b);

    private static readonly Gen<string> Text = Gen.OneOf(
        Gen.Elements("", "api", "*", "node-a", "nœud-ü", "10.0.0.1", new string('p', 300)),
        Gen.ArrayOf(Gen.Choose(0x20, 0x7e).Select(c => (char)c)).Select(c => new string(c)));

    private static readonly Gen<CounterUpdate> Update =
        from app in Text
        from partition in Text
        from period in Gen.Choose(-5, 86400)
        from window in Gen.Choose(-3, int.MaxValue).Select(w => (long)w)
        from count in Gen.Choose(int.MinValue, int.MaxValue).Select(c => (long)c)
        from origin in Text
        select new CounterUpdate { App = app, Partition = partition, Period = period, Window = window, Count = count, Origin = origin };

    private static readonly Gen<SyncMessage> Message = Gen.OneOf(
        Text.Select(id => new SyncMessage { Hello = new Hello { NodeId = id, UnixMicros = 5 } }),
        Gen.Constant(new SyncMessage { Heartbeat = new Heartbeat { UnixMicros = 1 } }),
        Gen.Constant(new SyncMessage()),
        UpTo(6, n => Gen.ListOf(Update, n)).Select(updates =>
        {
            var batch = new CounterBatch { NodeId = "b", Snapshot = updates.Count % 2 == 0 };
            batch.Updates.AddRange(updates);
            return new SyncMessage { Batch = batch };
        }));

    /// <summary>Bytes cut into 1 to 12 reads at random places (empty reads included).</summary>
    private static Gen<byte[][]> Cut(byte[] bytes) =>
        UpTo(11, n => Gen.ListOf(Gen.Choose(0, bytes.Length), n))
            .Select(cuts =>
            {
                var points = cuts.Append(0).Append(bytes.Length).Order().ToArray();
                return points.Zip(points.Skip(1), (from, to) => bytes[from..to]).ToArray();
            });

    /// <summary>Hostile input: random bytes, frames with any flag and length, and valid frames with bytes flipped.</summary>
    private static readonly Gen<byte[]> Hostile = Gen.OneOf(
        Gen.ArrayOf(AnyByte),
        UpTo(4, n => Gen.ListOf(
            from flag in Gen.Frequency((6, Gen.Constant((byte)0)), (1, Gen.Constant((byte)1)), (1, AnyByte))
            from length in Gen.OneOf(Gen.Choose(0, 40).Select(l => (uint)l), Gen.Elements(uint.MaxValue, (uint)Limit, (uint)Limit + 1, 0x7fffffffu))
            from payload in UpTo(48, size => Gen.ArrayOf(AnyByte, size))
            select Prefix(flag, length).Concat(payload).ToArray(), n))
            .Select(frames => frames.SelectMany(f => f).ToArray()),
        from messages in Gen.NonEmptyListOf(Message)
        let bytes = messages.SelectMany(GrpcFrameWriter.Frame).ToArray()
        from at in Gen.Choose(0, bytes.Length - 1)
        from value in AnyByte
        select Flip(bytes, at, value));

    [Fact]
    public void AnyBytes_InAnyPieces_EachReadIsAMessageTheEndOrAStatus()
    {
        var input = from bytes in Hostile
                    from pieces in Cut(bytes)
                    select pieces;

        Properties.Check(Prop.ForAll(input.ToArbitrary(), pieces =>
        {
            var total = pieces.Sum(p => p.Length);
            var (messages, last) = ReadAll(pieces, maxReads: total / 5 + 2);
            (last.IsEnd || last.Error is not null).Should().BeTrue("the stream ends with the end or a status");
            last.Error?.Code.Should().BeOneOf(GrpcStatusCode.Internal, GrpcStatusCode.ResourceExhausted);
            last.Error?.Message.Should().NotBeNullOrWhiteSpace();
            messages.Should().BeLessThanOrEqualTo(total / 5, "every message takes at least its 5-byte prefix");
        }), tests: 400);
    }

    [Fact]
    public void ValidMessages_InAnyPieces_ComeBackInOrderThenTheEnd()
    {
        var input = from messages in UpTo(8, n => Gen.ListOf(Message, n))
                    from pieces in Cut(messages.SelectMany(GrpcFrameWriter.Frame).ToArray())
                    select (messages, pieces);

        Properties.Check(Prop.ForAll(input.ToArbitrary(), t =>
        {
            var reader = new GrpcFrameReader(new PiecewisePipeReader(t.pieces), maxMessageBytes: 64 * 1024);
            foreach (var expected in t.messages)
            {
                var read = Read(reader);
                read.Error.Should().BeNull();
                read.Message.Should().Be(expected);
                read.Bytes.Should().Be(5 + expected.CalculateSize());
            }

            Read(reader).IsEnd.Should().BeTrue();
            reader.MessagesRead.Should().Be(t.messages.Count);
            reader.BytesRead.Should().Be(t.pieces.Sum(p => p.Length));
        }), tests: 300);
    }

    [Fact]
    public void ValidMessages_StreamCutInsideOne_MessagesBeforeThenInternal()
    {
        var input = from messages in Gen.NonEmptyListOf(Message)
                    let frames = messages.Select(GrpcFrameWriter.Frame).ToArray()
                    let bytes = frames.SelectMany(f => f).ToArray()
                    from cut in Gen.Choose(1, bytes.Length - 1)
                    where !Boundaries(frames).Contains(cut)
                    from pieces in Cut(bytes[..cut])
                    select (complete: Boundaries(frames).Count(b => b > 0 && b < cut), pieces);

        Properties.Check(Prop.ForAll(input.ToArbitrary(), t =>
        {
            var (messages, last) = ReadAll(t.pieces, maxReads: t.complete + 2);
            messages.Should().Be(t.complete);
            last.Error!.Value.Code.Should().Be(GrpcStatusCode.Internal);
        }), tests: 300);
    }

    [Fact]
    public void DeclaredLengthOverTheLimit_ResourceExhaustedBeforeThePayloadArrives()
    {
        var input = from limit in Gen.Choose(0, 1 << 20)
                    from over in Gen.Choose(1, int.MaxValue)
                    select (limit, length: (uint)Math.Min((long)limit + over, uint.MaxValue));

        Properties.Check(Prop.ForAll(input.ToArbitrary(), t =>
        {
            // Only the prefix is sent: the reader must not wait for (or allocate) the declared payload.
            var reader = new GrpcFrameReader(new PiecewisePipeReader([Prefix(0, t.length)], complete: false), t.limit);
            Read(reader).Error!.Value.Code.Should().Be(GrpcStatusCode.ResourceExhausted);
        }), tests: 200);
    }

    private static Gen<T> UpTo<T>(int most, Func<int, Gen<T>> ofCount) => Gen.Choose(0, most).SelectMany(ofCount);

    private static (int Messages, GrpcRead<SyncMessage> Last) ReadAll(byte[][] pieces, int maxReads)
    {
        var reader = new GrpcFrameReader(new PiecewisePipeReader(pieces), Limit);
        for (var i = 0; i <= maxReads; i++)
        {
            var read = Read(reader);
            if (read.Message is null) return (i, read);
        }

        throw new InvalidOperationException($"more than {maxReads} messages read from {pieces.Sum(p => p.Length)} bytes");
    }

    private static GrpcRead<SyncMessage> Read(GrpcFrameReader reader)
    {
        var pending = reader.ReadAsync(SyncMessage.Parser, default);
        pending.IsCompleted.Should().BeTrue("the pieces are all at hand, so no read waits");
        return pending.Result;
    }

    private static IEnumerable<int> Boundaries(byte[][] frames)
    {
        var at = 0;
        yield return 0;
        foreach (var frame in frames) yield return at += frame.Length;
    }

    private static byte[] Prefix(byte flag, uint length)
    {
        var prefix = new byte[5];
        prefix[0] = flag;
        BinaryPrimitives.WriteUInt32BigEndian(prefix.AsSpan(1), length);
        return prefix;
    }

    private static byte[] Flip(byte[] bytes, int at, byte value)
    {
        var copy = bytes.ToArray();
        copy[at] = value;
        return copy;
    }

    /// <summary>
    /// A pipe that hands out its bytes one piece more per read, and only once the reader has
    /// examined everything it was given (as a real pipe blocks until more arrives); the pieces
    /// stay separate segments of the buffer, so messages straddle segment boundaries.
    /// </summary>
    private sealed class PiecewisePipeReader(IReadOnlyList<byte[]> pieces, bool complete = true) : PipeReader
    {
        private List<byte[]> _held = [];
        private int _next;
        private bool _examinedAll = true;
        private ReadOnlySequence<byte> _given;

        public override bool TryRead(out ReadResult result)
        {
            result = ReadAsync().Result;
            return true;
        }

        public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
        {
            if (_examinedAll && _next < pieces.Count) _held.Add(pieces[_next++]);
            else if (_examinedAll && !complete) return new ValueTask<ReadResult>(Task.FromException<ReadResult>(new InvalidOperationException("the reader waits for more than was sent")));
            _given = Sequence(_held);
            return new(new ReadResult(_given, false, complete && _next == pieces.Count));
        }

        public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
        {
            _examinedAll = _given.Slice(0, examined).Length == _given.Length;
            var rest = new List<byte[]>();
            foreach (var segment in _given.Slice(consumed)) rest.Add(segment.ToArray());
            _held = rest;
        }

        public override void CancelPendingRead() { }

        public override void Complete(Exception? exception = null) { }

        private static ReadOnlySequence<byte> Sequence(List<byte[]> parts)
        {
            if (parts.Count == 0) return ReadOnlySequence<byte>.Empty;
            var first = new Segment(parts[0], 0);
            var last = first;
            foreach (var part in parts.Skip(1)) last = last.Append(part);
            return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
        }

        private sealed class Segment : ReadOnlySequenceSegment<byte>
        {
            public Segment(byte[] bytes, long runningIndex)
            {
                Memory = bytes;
                RunningIndex = runningIndex;
            }

            public Segment Append(byte[] bytes)
            {
                var next = new Segment(bytes, RunningIndex + Memory.Length);
                Next = next;
                return next;
            }
        }
    }
}
