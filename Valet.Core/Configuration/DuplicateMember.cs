namespace Valet.Core.Configuration;

/// <summary>A member given more than once in one JSON object.</summary>
/// <param name="Path">JSON path of the member, e.g. <c>$.endpoints[0].port</c>.</param>
/// <param name="Name">The member's name.</param>
/// <param name="Line">1-based line of the repeated occurrence.</param>
/// <param name="Column">1-based column of the repeated occurrence's name.</param>
/// <param name="FirstLine">1-based line of the first occurrence.</param>
internal readonly record struct DuplicateMember(string Path, string Name, int Line, int Column, int FirstLine);
