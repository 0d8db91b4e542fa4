namespace Valet.Core.Configuration;

/// <summary>One problem in one app file: where it is and what would fix it.</summary>
/// <param name="File">The file name as given to the loader.</param>
/// <param name="Line">1-based line, 0 when the problem is about the whole file.</param>
/// <param name="Column">1-based column, 0 when unknown.</param>
/// <param name="Path">JSON path of the member, e.g. <c>$.endpoints[0].port</c>.</param>
/// <param name="Message">What is wrong and how to fix it.</param>
public sealed record ConfigError(string File, int Line, int Column, string Path, string Message)
{
    /// <summary><c>file:line:col: path: message</c>, the form compilers and <c>nginx -t</c> use.</summary>
    public override string ToString() => $"{File}:{Line}:{Column}: {Path}: {Message}";
}
