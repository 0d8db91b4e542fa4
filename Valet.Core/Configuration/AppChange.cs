namespace Valet.Core.Configuration;

/// <summary>The result of a load for one app (or one file that did not yield an app).</summary>
/// <param name="App">App name; the file name when the file failed before naming an app.</param>
/// <param name="File">The file's name.</param>
/// <param name="Kind">What happened.</param>
/// <param name="Errors">Why it failed; empty otherwise.</param>
/// <param name="StillServing">For a failed app: whether its last good config keeps serving.</param>
public sealed record AppChange(string App, string File, AppChangeKind Kind, IReadOnlyList<ConfigError> Errors, bool StillServing = false);
