using Microsoft.Extensions.Logging;
using Valet.Peering.Membership;
using Valet.Peering.Protocol;
using Valet.Peering.Protocol.V1;
using Valet.Peering.Sync;

namespace Valet.Peering.Server;

/// <summary>
/// The callee side of <c>valet.peering.v1.Peering</c>.
/// Sync, in order:
/// 1. read the caller's Hello (within the connect timeout) and refuse a caller using this node's id;
/// 2. answer this node's Hello and a snapshot of every live window (the caller's catch-up);
/// 3. register a sink, so this node's counts flow on this stream whenever it has no link of its own to the caller;
/// 4. merge the caller's batches until it half-closes (OK), breaks the stream, or sends a bad frame (its status);
/// 5. heartbeats and counts are written by a separate loop that drains the sink.
/// </summary>
public sealed partial class PeeringService(
    PeeringOptions options, TimeProvider time, ClusterCounterStore store, ClusterMembership membership, SyncReceiver receiver, ILogger logger)
{
    public const string SyncMethod = "/valet.peering.v1.Peering/Sync";
    public const string PushMethod = "/valet.peering.v1.Peering/Push";
    public const string SnapshotMethod = "/valet.peering.v1.Peering/Snapshot";

    public async Task SyncAsync(GrpcServerCall call)
    {
        // 1. Hello
        GrpcRead<SyncMessage> first;
        using (var helloTimeout = CancellationTokenSource.CreateLinkedTokenSource(call.Token))
        {
            helloTimeout.CancelAfter(options.ConnectTimeout);
            try
            {
                first = await call.ReadAsync(SyncMessage.Parser).AsTask().WaitAsync(helloTimeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                await call.FinishAsync(call.DeadlinePassed
                    ? new GrpcStatus(GrpcStatusCode.DeadlineExceeded, "deadline passed before the Hello")
                    : new GrpcStatus(GrpcStatusCode.Cancelled, "no Hello in time")).ConfigureAwait(false);
                return;
            }
        }

        if (first.Error is { } error)
        {
            await call.FinishAsync(error).ConfigureAwait(false);
            return;
        }

        if (first.Message is not { KindCase: SyncMessage.KindOneofCase.Hello } hello || hello.Hello.NodeId.Length is 0 or > 256)
        {
            await call.FinishAsync(new GrpcStatus(GrpcStatusCode.InvalidArgument, "the first message of Sync must be a Hello with a node id")).ConfigureAwait(false);
            return;
        }

        var nodeId = hello.Hello.NodeId;
        if (nodeId == options.NodeId)
        {
            await call.FinishAsync(new GrpcStatus(GrpcStatusCode.FailedPrecondition, $"node id '{nodeId}' is this node's own id; every node needs its own --node-id")).ConfigureAwait(false);
            return;
        }

        var peer = membership.ForInbound(nodeId);
        peer.InboundOpened(time.GetTimestamp());
        peer.InboundMessage(time.GetTimestamp(), first.Bytes);

        // 2. Hello and snapshot; 3. sink
        var sink = new SyncSink(options.SinkCapacity, time);
        var frames = new List<byte[]> { SyncFrames.Hello(options, time) };
        frames.AddRange(SyncFrames.Snapshot(store, options.NodeId, options.MaxBatchUpdates));
        Task writer = Task.CompletedTask;
        try
        {
            await call.WriteFramesAsync(frames).ConfigureAwait(false);
            var previous = peer.Resolve().InboundSink;
            peer.Resolve().InboundSink = sink;
            previous?.Close();
            membership.Evaluate();
            LogInbound(logger, nodeId);

            // 5. writer
            writer = WriteLoopAsync(call, sink, peer);

            // 4. reader
            var status = await ReadLoopAsync(call, peer, nodeId).ConfigureAwait(false);
            sink.Close();
            await writer.ConfigureAwait(false);
            await call.FinishAsync(status).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
        {
            sink.Close();
            await writer.ConfigureAwait(false);
            await call.FinishAsync(call.DeadlinePassed
                ? new GrpcStatus(GrpcStatusCode.DeadlineExceeded, "deadline passed")
                : new GrpcStatus(GrpcStatusCode.Cancelled, "stream ended")).ConfigureAwait(false);
        }
        finally
        {
            sink.Close();
            var current = peer.Resolve();
            if (current.InboundSink == sink) current.InboundSink = null;
            current.InboundClosed();
            membership.Evaluate();
        }
    }

    private async Task<GrpcStatus> ReadLoopAsync(GrpcServerCall call, PeerState peer, string nodeId)
    {
        while (true)
        {
            var read = await call.ReadAsync(SyncMessage.Parser).ConfigureAwait(false);
            if (read.Error is { } error) return error;
            if (read.Message is not { } message) return GrpcStatus.Ok;
            var current = peer.Resolve();
            current.InboundMessage(time.GetTimestamp(), read.Bytes);
            if (message.KindCase == SyncMessage.KindOneofCase.Batch) receiver.Apply(current, nodeId, message.Batch);
        }
    }

    private async Task WriteLoopAsync(GrpcServerCall call, SyncSink sink, PeerState peer)
    {
        var frames = new List<byte[]>();
        try
        {
            while (await sink.Reader.WaitToReadAsync(call.Token).ConfigureAwait(false))
            {
                frames.Clear();
                if (sink.TakeSnapshotRequest()) frames.AddRange(SyncFrames.Snapshot(store, options.NodeId, options.MaxBatchUpdates));
                while (frames.Count < 256 && sink.Reader.TryRead(out var frame)) frames.Add(frame);
                await call.WriteFramesAsync(frames).ConfigureAwait(false);
                foreach (var frame in frames) peer.Resolve().Sent(frame.Length);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
        {
            // The stream is gone; the reader side ends the call.
        }
    }

    /// <summary>Push: merge one batch, answer how many updates were taken.</summary>
    public async Task PushAsync(GrpcServerCall call)
    {
        var (batch, error) = await call.ReadUnaryAsync(CounterBatch.Parser).ConfigureAwait(false);
        if (batch is null)
        {
            await call.FinishAsync(error!.Value).ConfigureAwait(false);
            return;
        }

        if (batch.NodeId.Length is 0 or > 256)
        {
            await call.FinishAsync(new GrpcStatus(GrpcStatusCode.InvalidArgument, "Push needs the sender's node_id")).ConfigureAwait(false);
            return;
        }

        if (batch.NodeId == options.NodeId)
        {
            await call.FinishAsync(new GrpcStatus(GrpcStatusCode.FailedPrecondition, $"node id '{batch.NodeId}' is this node's own id")).ConfigureAwait(false);
            return;
        }

        var (accepted, rejected) = receiver.Apply(null, batch.NodeId, batch);
        await call.WriteAsync(new PushReply { Accepted = accepted, Rejected = rejected }).ConfigureAwait(false);
        await call.FinishAsync(GrpcStatus.Ok).ConfigureAwait(false);
    }

    /// <summary>Snapshot: every live window, each update naming its origin node.</summary>
    public async Task SnapshotAsync(GrpcServerCall call)
    {
        var (request, error) = await call.ReadUnaryAsync(SnapshotRequest.Parser).ConfigureAwait(false);
        if (request is null)
        {
            await call.FinishAsync(error!.Value).ConfigureAwait(false);
            return;
        }

        var batch = new CounterBatch { NodeId = options.NodeId, Snapshot = true };
        batch.Updates.AddRange(store.Snapshot());
        await call.WriteAsync(batch).ConfigureAwait(false);
        await call.FinishAsync(GrpcStatus.Ok).ConfigureAwait(false);
    }

    [LoggerMessage(20, LogLevel.Debug, "Peer {NodeId} opened a sync stream to this node")]
    private static partial void LogInbound(ILogger logger, string nodeId);
}
