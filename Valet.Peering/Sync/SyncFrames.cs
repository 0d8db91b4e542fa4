using Google.Protobuf;
using Valet.Peering.Protocol;
using Valet.Peering.Protocol.V1;

namespace Valet.Peering.Sync;

/// <summary>The framed messages of a Sync stream: Hello, snapshot batches and heartbeats.</summary>
public static class SyncFrames
{
    public static byte[] Hello(PeeringOptions options, TimeProvider time)
    {
        var hello = new Hello { NodeId = options.NodeId, UnixMicros = ClusterCounterStore.UnixMicros(time) };
        foreach (var peer in options.Peers) hello.Peers.Add(peer.ToString());
        return GrpcFrameWriter.Frame(new SyncMessage { Hello = hello });
    }

    public static byte[] Heartbeat(TimeProvider time) =>
        GrpcFrameWriter.Frame(new SyncMessage { Heartbeat = new Heartbeat { UnixMicros = ClusterCounterStore.UnixMicros(time) } });

    /// <summary>Every live window as snapshot batches of at most <paramref name="maxUpdates"/> (at least one batch, maybe empty: it marks "caught up").</summary>
    public static List<byte[]> Snapshot(ClusterCounterStore store, string nodeId, int maxUpdates)
    {
        var frames = new List<byte[]>();
        foreach (var batch in SnapshotBatches(store, nodeId, maxUpdates)) frames.Add(GrpcFrameWriter.Frame(new SyncMessage { Batch = batch }));
        return frames;
    }

    public static IEnumerable<CounterBatch> SnapshotBatches(ClusterCounterStore store, string nodeId, int maxUpdates)
    {
        var updates = store.Snapshot();
        var offset = 0;
        do
        {
            var batch = new CounterBatch { NodeId = nodeId, Snapshot = true };
            batch.Updates.AddRange(updates.Skip(offset).Take(maxUpdates));
            offset += maxUpdates;
            yield return batch;
        }
        while (offset < updates.Count);
    }

    public static byte[] Batch(string nodeId, List<CounterUpdate> updates, long originMicros)
    {
        var batch = new CounterBatch { NodeId = nodeId, OriginUnixMicros = originMicros };
        batch.Updates.AddRange(updates);
        return GrpcFrameWriter.Frame(new SyncMessage { Batch = batch });
    }

    public static int Size(IMessage message) => 5 + message.CalculateSize();
}
