namespace Valet.Core.Configuration;

/// <summary>What a load did to one app.</summary>
public enum AppChangeKind
{
    Unchanged,
    Added,
    Updated,
    Removed,

    /// <summary>The file has errors; the app's last good config (if any) keeps serving.</summary>
    Failed,
}
