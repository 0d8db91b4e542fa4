using System.Collections.Frozen;

namespace Valet.Core.Forwarding;

/// <summary>A set of header names and name prefixes (<c>X-Internal-*</c>), matched case-insensitively.</summary>
public sealed class HeaderFilter
{
    public static readonly HeaderFilter None = new([]);

    private readonly FrozenSet<string> _names;
    private readonly string[] _prefixes;

    public HeaderFilter(IEnumerable<string> patterns)
    {
        var list = patterns.ToList();
        _names = list.Where(p => !p.EndsWith('*')).ToFrozenSet(StringComparer.OrdinalIgnoreCase);
        _prefixes = list.Where(p => p.EndsWith('*')).Select(p => p[..^1]).ToArray();
        IsEmpty = list.Count == 0;
    }

    public bool IsEmpty { get; }

    public bool Matches(string name)
    {
        if (IsEmpty) return false;
        if (_names.Contains(name)) return true;
        foreach (var prefix in _prefixes)
        {
            if (name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return true;
        }

        return false;
    }
}
