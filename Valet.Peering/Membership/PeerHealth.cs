namespace Valet.Peering.Membership;

/// <summary>Where a peer stands as seen from this node.</summary>
public enum PeerHealth
{
    /// <summary>Not heard from yet since this node started.</summary>
    Connecting,

    /// <summary>Both directions carried a message within the failure timeout.</summary>
    Up,

    /// <summary>Stream broken or silent longer than the failure timeout.</summary>
    Down,
}
