namespace Valet.Core.Configuration;

/// <summary>What one load or reload did, app by app.</summary>
public sealed record LoadReport(DateTimeOffset At, IReadOnlyList<AppChange> Changes, IReadOnlyList<ConfigError> FolderErrors)
{
    public bool Ok => FolderErrors.Count == 0 && Changes.All(c => c.Kind != AppChangeKind.Failed);

    public int Count(AppChangeKind kind) => Changes.Count(c => c.Kind == kind);

    /// <summary>One line for logs and systemd status, e.g. <c>ok: 3 unchanged, 1 updated</c>.</summary>
    public string Summary()
    {
        var parts = Enum.GetValues<AppChangeKind>()
            .Select(k => (Kind: k, N: Count(k)))
            .Where(x => x.N > 0)
            .Select(x => $"{x.N} {x.Kind.ToString().ToLowerInvariant()}");
        var text = string.Join(", ", parts);
        return (Ok ? "ok" : "failed") + (text.Length > 0 ? ": " + text : ": no apps");
    }
}
