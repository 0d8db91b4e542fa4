namespace Valet.Peering.Membership;

/// <summary>
/// The peers this node knows and whether the cluster is whole. The peer set is an immutable array
/// swapped atomically; health is recomputed by <see cref="Evaluate"/> (called by the sync pump every
/// few tens of milliseconds and whenever a stream breaks). While any peer is not up the cluster is
/// partitioned, and each partition gets a new epoch (the share policy counts per epoch).
/// </summary>
public sealed class ClusterMembership
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _failureTimeout;
    private readonly object _gate = new();
    private PeerState[] _peers = [];
    private int _partitioned;
    private int _epoch;

    public ClusterMembership(PeeringOptions options, TimeProvider time)
    {
        _time = time;
        _failureTimeout = options.FailureTimeout;
        Nodes = new NodeDirectory(options.NodeId, options.MaxNodes);
        foreach (var address in options.Peers) Add(new PeerState(address));
        NodeCount = 1 + options.Peers.Count;
        Evaluate();
    }

    public NodeDirectory Nodes { get; }

    public string Self => Nodes.Self;

    /// <summary>The current peer set (never mutated; replaced on change).</summary>
    public IReadOnlyList<PeerState> Peers => Volatile.Read(ref _peers);

    /// <summary>Nodes this node believes exist (itself and every configured peer, reachable or not).</summary>
    public int NodeCount { get; }

    /// <summary>True while some peer is not up.</summary>
    public bool IsPartitioned => Volatile.Read(ref _partitioned) == 1;

    /// <summary>Incremented each time the cluster becomes partitioned.</summary>
    public int PartitionEpoch => Volatile.Read(ref _epoch);

    /// <summary>Raised (on the evaluating thread) when a peer's health changes.</summary>
    public event Action<PeerState, PeerHealth>? HealthChanged;

    /// <summary>The record of a peer that dialled in as <paramref name="nodeId"/>: its configured record when known, else a new inbound-only one.</summary>
    public PeerState ForInbound(string nodeId)
    {
        lock (_gate)
        {
            foreach (var peer in _peers)
            {
                if (peer.NodeId == nodeId) return peer;
            }

            var state = new PeerState(null) { NodeId = nodeId };
            Add(state);
            return state;
        }
    }

    /// <summary>A configured peer introduced itself: fold an inbound-only record with the same id into it.</summary>
    public void Identify(PeerState link, string nodeId)
    {
        lock (_gate)
        {
            link.NodeId = nodeId;
            var duplicate = Array.Find(_peers, p => p != link && p.NodeId == nodeId && p.Address is null);
            if (duplicate is null) return;
            link.Absorb(duplicate);
            duplicate.MergeInto(link);
            Volatile.Write(ref _peers, Array.FindAll(_peers, p => p != duplicate));
        }

        Evaluate();
    }

    private void Add(PeerState state)
    {
        var next = new PeerState[_peers.Length + 1];
        _peers.CopyTo(next, 0);
        next[^1] = state;
        Volatile.Write(ref _peers, next);
    }

    /// <summary>Recomputes every peer's health and the partition flag.</summary>
    public void Evaluate()
    {
        List<PeerState>? changed = null;
        lock (_gate)
        {
            // Under the lock: two evaluations with different clocks must not undo each other.
            var now = _time.GetTimestamp();
            var whole = true;
            foreach (var peer in _peers)
            {
                if (peer.Evaluate(_time, now, _failureTimeout)) (changed ??= []).Add(peer);

                // Only configured peers make the cluster: a caller that merely dialled in (a tool, or a node
                // listing this one without being listed) is merged but does not split the cluster when it leaves.
                if (peer.Address is not null && peer.Health != PeerHealth.Up) whole = false;
            }

            if (!whole && _partitioned == 0) Interlocked.Increment(ref _epoch);
            Volatile.Write(ref _partitioned, whole ? 0 : 1);
        }

        if (changed is null) return;
        foreach (var peer in changed) HealthChanged?.Invoke(peer, peer.Health);
    }

    public void SampleRates()
    {
        var now = _time.GetTimestamp();
        foreach (var peer in Peers) peer.SampleRates(now, _time);
    }

    /// <summary>Every peer as <c>GET /peers</c> shows it.</summary>
    public IReadOnlyList<PeerStatus> Status()
    {
        var now = _time.GetTimestamp();
        return Peers.Select(p => p.Status(_time, now)).ToArray();
    }
}
