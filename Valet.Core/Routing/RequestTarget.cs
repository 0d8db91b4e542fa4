namespace Valet.Core.Routing;

/// <summary>What the request target says about routing.</summary>
public enum TargetKind
{
    /// <summary><c>/{app}</c> or <c>/{app}/rest</c>, safe to forward.</summary>
    App,

    /// <summary>No app segment (<c>/</c>, <c>//x</c>, not origin-form).</summary>
    NoApp,

    /// <summary>The app-relative path holds dot-segments (plain or percent-encoded) that would escape the app.</summary>
    Escapes,
}

/// <summary>
/// The raw request target (percent-encoding as the client sent it) split into the app segment,
/// the app-relative path and the query, by index, without copying.
/// </summary>
public readonly struct RequestTarget
{
    private readonly int _appEnd;
    private readonly int _pathEnd;

    private RequestTarget(string raw, int appEnd, int pathEnd)
    {
        Raw = raw;
        _appEnd = appEnd;
        _pathEnd = pathEnd;
    }

    public string Raw { get; }

    /// <summary>The first path segment, as sent; empty for a host-routed target.</summary>
    public ReadOnlySpan<char> AppSegment => _appEnd == 0 ? default : Raw.AsSpan(1, _appEnd - 1);

    /// <summary>The path after the app segment: "" or starting with '/'.</summary>
    public ReadOnlySpan<char> Path => Raw.AsSpan(_appEnd, _pathEnd - _appEnd);

    /// <summary>"" or the query including its '?'.</summary>
    public ReadOnlySpan<char> Query => Raw.AsSpan(_pathEnd);

    /// <summary>The app-relative path, "/" when empty, as mocks match it.</summary>
    public ReadOnlySpan<char> PathOrRoot => _pathEnd > _appEnd ? Path : "/";

    public static TargetKind Parse(string raw, out RequestTarget target)
    {
        target = default;
        if (raw.Length < 2 || raw[0] != '/') return TargetKind.NoApp;
        var queryStart = raw.IndexOf('?');
        var pathEnd = queryStart < 0 ? raw.Length : queryStart;
        var appEnd = raw.IndexOf('/', 1);
        if (appEnd < 0 || appEnd > pathEnd) appEnd = pathEnd;
        if (appEnd == 1) return TargetKind.NoApp;
        target = new RequestTarget(raw, appEnd, pathEnd);
        return Escapes(target.Path) ? TargetKind.Escapes : TargetKind.App;
    }

    /// <summary>A target whose whole path belongs to a host-routed app (no app segment).</summary>
    public static TargetKind ParseWhole(string raw, out RequestTarget target)
    {
        target = default;
        if (raw.Length < 1 || raw[0] != '/') return TargetKind.NoApp;
        var queryStart = raw.IndexOf('?');
        target = new RequestTarget(raw, 0, queryStart < 0 ? raw.Length : queryStart);
        return Escapes(target.Path) ? TargetKind.Escapes : TargetKind.App;
    }

    /// <summary>
    /// True when a segment of <paramref name="path"/>, after percent-decoding and splitting on
    /// '/' and '\', is "." or "..": an upstream that normalises the path would leave the app's prefix.
    /// </summary>
    internal static bool Escapes(ReadOnlySpan<char> path)
    {
        if (path.IndexOfAny('.', '%') < 0) return false;
        Span<char> decoded = path.Length <= 512 ? stackalloc char[path.Length] : new char[path.Length];
        var length = 0;
        for (var i = 0; i < path.Length; i++)
        {
            var c = path[i];
            if (c == '%' && i + 2 < path.Length && IsHex(path[i + 1]) && IsHex(path[i + 2]))
            {
                c = (char)(HexValue(path[i + 1]) * 16 + HexValue(path[i + 2]));
                i += 2;
            }

            decoded[length++] = c == '\\' ? '/' : c;
        }

        foreach (var range in decoded[..length].Split('/'))
        {
            var segment = decoded[range];
            if (segment is "." or "..") return true;
        }

        return false;
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
