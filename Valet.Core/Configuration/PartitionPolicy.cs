namespace Valet.Core.Configuration;

/// <summary>What an app's limit does while the cluster is split (a peer unreachable).</summary>
public enum PartitionPolicy
{
    /// <summary>Each node spends only its share of what remains: never over the limit, possibly under.</summary>
    Share,

    /// <summary>Each node keeps counting on its own: the cluster may admit up to nodes × limit.</summary>
    Open,
}
