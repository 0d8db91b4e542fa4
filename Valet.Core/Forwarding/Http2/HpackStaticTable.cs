using System.Collections.Frozen;

namespace Valet.Core.Forwarding.Http2;

/// <summary>The HPACK static table (RFC 7541 Appendix A), indices 1 to 61.</summary>
internal static class HpackStaticTable
{
    /// <summary>Entries in the table; dynamic entries are numbered from <c>Count + 1</c>.</summary>
    public const int Count = 61;

    // Index 0 is unused: HPACK numbers entries from 1.
    private static readonly HeaderField[] Entries =
    [
        new("", ""),
        new(":authority", ""),
        new(":method", "GET"),
        new(":method", "POST"),
        new(":path", "/"),
        new(":path", "/index.html"),
        new(":scheme", "http"),
        new(":scheme", "https"),
        new(":status", "200"),
        new(":status", "204"),
        new(":status", "206"),
        new(":status", "304"),
        new(":status", "400"),
        new(":status", "404"),
        new(":status", "500"),
        new("accept-charset", ""),
        new("accept-encoding", "gzip, deflate"),
        new("accept-language", ""),
        new("accept-ranges", ""),
        new("accept", ""),
        new("access-control-allow-origin", ""),
        new("age", ""),
        new("allow", ""),
        new("authorization", ""),
        new("cache-control", ""),
        new("content-disposition", ""),
        new("content-encoding", ""),
        new("content-language", ""),
        new("content-length", ""),
        new("content-location", ""),
        new("content-range", ""),
        new("content-type", ""),
        new("cookie", ""),
        new("date", ""),
        new("etag", ""),
        new("expect", ""),
        new("expires", ""),
        new("from", ""),
        new("host", ""),
        new("if-match", ""),
        new("if-modified-since", ""),
        new("if-none-match", ""),
        new("if-range", ""),
        new("if-unmodified-since", ""),
        new("last-modified", ""),
        new("link", ""),
        new("location", ""),
        new("max-forwards", ""),
        new("proxy-authenticate", ""),
        new("proxy-authorization", ""),
        new("range", ""),
        new("referer", ""),
        new("refresh", ""),
        new("retry-after", ""),
        new("server", ""),
        new("set-cookie", ""),
        new("strict-transport-security", ""),
        new("transfer-encoding", ""),
        new("user-agent", ""),
        new("vary", ""),
        new("via", ""),
        new("www-authenticate", ""),
    ];

    /// <summary>The first index of each name (lower-case, as HTTP/2 sends names), for encoding a name by reference.</summary>
    private static readonly FrozenDictionary<string, int> NameIndex = BuildNameIndex();

    /// <summary>The entry at <paramref name="index"/> (1 to <see cref="Count"/>).</summary>
    public static HeaderField Get(int index) => Entries[index];

    /// <summary>The index of <paramref name="name"/> (lower-case), or 0 when the table does not hold it.</summary>
    public static int IndexOfName(string name) => NameIndex.GetValueOrDefault(name);

    /// <summary>The index of exactly this name and value, or 0: only the pseudo-header entries with values are looked up.</summary>
    public static int IndexOf(string name, string value)
    {
        var index = IndexOfName(name);
        if (index == 0 || index > 14) return 0;
        for (; index <= 14 && Entries[index].Name == name; index++)
        {
            if (Entries[index].Value == value) return index;
        }

        return 0;
    }

    private static FrozenDictionary<string, int> BuildNameIndex()
    {
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 1; i <= Count; i++) names.TryAdd(Entries[i].Name, i);
        return names.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
