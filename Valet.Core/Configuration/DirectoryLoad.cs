namespace Valet.Core.Configuration;

/// <summary>Everything read from a conf folder: one entry per app file, plus folder-level errors.</summary>
public sealed record DirectoryLoad(string Directory, IReadOnlyList<AppFile> Files, IReadOnlyList<ConfigError> FolderErrors)
{
    /// <summary>Every error, folder-level first, then file by file.</summary>
    public IEnumerable<ConfigError> AllErrors => FolderErrors.Concat(Files.SelectMany(f => f.Errors));

    public bool Succeeded => FolderErrors.Count == 0 && Files.All(f => f.Succeeded);
}
