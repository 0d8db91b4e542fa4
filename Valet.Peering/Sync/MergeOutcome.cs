namespace Valet.Peering.Sync;

/// <summary>What became of one counter update received from a peer.</summary>
public enum MergeOutcome
{
    /// <summary>Merged (max with what was known; an old value changes nothing).</summary>
    Merged,

    /// <summary>The window is more than one window away from the receiver's current one.</summary>
    WindowOutOfRange,

    /// <summary>Negative or impossibly large count.</summary>
    BadCount,

    /// <summary>Empty or oversized app or partition, or a period outside 1–86400 s.</summary>
    BadKey,

    /// <summary>No app of that name is configured on this node.</summary>
    UnknownApp,

    /// <summary>More distinct nodes than the store keeps counts for.</summary>
    TooManyNodes,

    /// <summary>More counters than the store keeps.</summary>
    TooManyCounters,
}
