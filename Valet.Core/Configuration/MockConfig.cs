namespace Valet.Core.Configuration;

/// <summary>
/// A canned answer served instead of calling an endpoint. <see cref="Path"/> matches exactly, or as
/// a prefix when it ends with <c>*</c>. The body comes from <c>body</c> (a string is sent as is, any
/// other JSON value as JSON) or from <c>bodyFile</c> (relative to the conf folder); the parser
/// resolves either into <see cref="Content"/>.
/// </summary>
public sealed record MockConfig
{
    /// <summary>Upper-case method, or null for any method.</summary>
    public string? Method { get; init; }
    public required string Path { get; init; }
    public int Status { get; init; } = 200;
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
    public string? Body { get; init; }
    public string? BodyFile { get; init; }
    public int DelayMs { get; init; }

    /// <summary>The resolved body bytes.</summary>
    public ReadOnlyMemory<byte> Content { get; init; }

    /// <summary>Content type used when <see cref="Headers"/> names none.</summary>
    public string DefaultContentType { get; init; } = "text/plain; charset=utf-8";
}
