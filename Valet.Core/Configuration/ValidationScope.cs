namespace Valet.Core.Configuration;

/// <summary>Collects the errors of one file, each placed at the line and column of its JSON path.</summary>
internal sealed class ValidationScope(string file, JsonPositionIndex positions)
{
    public List<ConfigError> Errors { get; } = [];

    public string File => file;

    /// <summary>An error about the value at <paramref name="path"/>.</summary>
    public void Error(string path, string message)
    {
        var (line, column) = positions.ValueAt(path);
        Errors.Add(new ConfigError(file, line, column, path, message));
    }

    /// <summary>An error about the member name at <paramref name="path"/> (e.g. an unknown field).</summary>
    public void NameError(string path, string message)
    {
        var (line, column) = positions.NameAt(path);
        Errors.Add(new ConfigError(file, line, column, path, message));
    }
}
