using System.Text.Json;

namespace Valet.Core.Aggregation;

/// <summary>Decides whether a part's answer is embedded as JSON or as a string.</summary>
internal static class JsonBody
{
    /// <summary><c>application/json</c>, <c>text/json</c> or any <c>*/*+json</c> type, parameters ignored.</summary>
    public static bool IsJsonMediaType(string? contentType)
    {
        if (contentType is null) return false;
        var type = contentType.AsSpan();
        var semicolon = type.IndexOf(';');
        if (semicolon >= 0) type = type[..semicolon];
        type = type.Trim();
        return type.Equals("application/json", StringComparison.OrdinalIgnoreCase)
               || type.Equals("text/json", StringComparison.OrdinalIgnoreCase)
               || type.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Whether <paramref name="utf8"/> is exactly one well-formed JSON value (whitespace around it allowed).</summary>
    public static bool IsSingleValue(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 256 });
        try
        {
            while (reader.Read())
            {
            }

            return reader.BytesConsumed > 0;
        }
        catch (JsonException)
        {
            // A body that says it is JSON but is not: it is embedded as a string instead.
            return false;
        }
    }
}
