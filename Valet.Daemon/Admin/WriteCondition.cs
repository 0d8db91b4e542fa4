namespace Valet.Daemon.Admin;

/// <summary>
/// The preconditions of a PUT or DELETE (RFC 9110 section 13): <c>If-Match</c> (strong comparison,
/// <c>*</c> = the app exists) and <c>If-None-Match</c> (<c>*</c> = the app does not exist yet).
/// An app's entity tag is its revision in quotes.
/// </summary>
public sealed record WriteCondition(string? IfMatch, string? IfNoneMatch)
{
    public static readonly WriteCondition None = new(null, null);

    public static string ETagOf(string revision) => "\"" + revision + "\"";

    /// <summary>Whether the conditions hold for an app whose revision is <paramref name="revision"/> (null: no such app).</summary>
    public bool Holds(string? revision)
    {
        if (!string.IsNullOrWhiteSpace(IfMatch))
        {
            if (revision is null) return false;
            if (!Lists(IfMatch, revision, weakMatches: false)) return false;
        }

        if (!string.IsNullOrWhiteSpace(IfNoneMatch) && revision is not null && Lists(IfNoneMatch, revision, weakMatches: true))
        {
            return false;
        }

        return true;
    }

    /// <summary>What the failed condition expected, for the 412's detail.</summary>
    public string Describe(string? revision) =>
        $"the app's current entity tag is {(revision is null ? "none (no such app)" : ETagOf(revision))}; " +
        $"the request asked for {(string.IsNullOrWhiteSpace(IfMatch) ? $"If-None-Match: {IfNoneMatch}" : $"If-Match: {IfMatch}")}";

    private static bool Lists(string header, string revision, bool weakMatches)
    {
        foreach (var raw in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (raw == "*") return true;
            var tag = raw;
            if (tag.StartsWith("W/", StringComparison.Ordinal))
            {
                if (!weakMatches) continue;
                tag = tag[2..];
            }

            if (tag.Length >= 2 && tag[0] == '"' && tag[^1] == '"') tag = tag[1..^1];
            if (string.Equals(tag, revision, StringComparison.Ordinal)) return true;
        }

        return false;
    }
}
