using Valet.Peering.Membership;
using Valet.Peering.Protocol.V1;

namespace Valet.Peering.Sync;

/// <summary>Applies batches received from a peer (on either stream) to the store, and measures sync lag.</summary>
public sealed class SyncReceiver(ClusterCounterStore store, TimeProvider time, PeeringMetrics? metrics = null)
{
    /// <summary>Merges every update; updates without an origin are the sender's own counts.</summary>
    /// <returns>Updates merged and updates rejected.</returns>
    public (int Accepted, int Rejected) Apply(PeerState? peer, string senderId, CounterBatch batch)
    {
        var accepted = 0;
        var rejected = 0;
        foreach (var update in batch.Updates)
        {
            var origin = update.Origin.Length > 0 ? update.Origin : senderId;
            if (store.Merge(origin, update) == MergeOutcome.Merged) accepted++;
            else rejected++;
        }

        if (peer is not null && !batch.Snapshot && batch.OriginUnixMicros > 0 && batch.Updates.Count > 0)
        {
            var lag = ClusterCounterStore.UnixMicros(time) - batch.OriginUnixMicros;
            peer.Lag.Record(lag);
            metrics?.SyncLag(lag);
        }

        return (accepted, rejected);
    }
}
