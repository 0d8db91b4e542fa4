namespace Valet.Core.Configuration;

/// <summary>One app file as read from the conf folder: its config, or the errors that stop it loading.</summary>
/// <param name="Path">Full path of the file.</param>
/// <param name="FileName">Name shown in errors and in the admin API.</param>
/// <param name="Revision">Hash of the file's bytes; equal revisions mean an unchanged app.</param>
public sealed record AppFile(string Path, string FileName, string Revision, AppConfig? Config, IReadOnlyList<ConfigError> Errors)
{
    public bool Succeeded => Config is not null && Errors.Count == 0;
}
