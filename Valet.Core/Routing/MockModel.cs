using Microsoft.Extensions.Primitives;
using Valet.Core.Configuration;

namespace Valet.Core.Routing;

/// <summary>The compiled view of one mock: how it matches and what it answers.</summary>
public sealed class MockModel
{
    public MockModel(MockConfig config)
    {
        Config = config;
        Method = config.Method;
        IsPrefix = config.Path.EndsWith('*');
        Path = IsPrefix ? config.Path[..^1] : config.Path;
        Headers = config.Headers.Select(h => new KeyValuePair<string, StringValues>(h.Key, h.Value)).ToArray();
        ContentType = config.Headers.TryGetValue("Content-Type", out var type) ? type : config.DefaultContentType;
        Delay = TimeSpan.FromMilliseconds(config.DelayMs);
    }

    public MockConfig Config { get; }

    /// <summary>Upper-case method, or null for any.</summary>
    public string? Method { get; }

    /// <summary>The path, without the trailing '*' of a prefix match.</summary>
    public string Path { get; }

    public bool IsPrefix { get; }

    public KeyValuePair<string, StringValues>[] Headers { get; }

    public string ContentType { get; }

    public TimeSpan Delay { get; }

    public int Status => Config.Status;

    public ReadOnlyMemory<byte> Content => Config.Content;

    /// <summary>Whether a request with this method and (percent-encoded, app-relative) path is served by this mock.</summary>
    public bool Matches(string method, ReadOnlySpan<char> path)
    {
        if (Method is not null && !string.Equals(Method, method, StringComparison.Ordinal)) return false;
        return IsPrefix ? path.StartsWith(Path, StringComparison.Ordinal) : path.SequenceEqual(Path);
    }
}
