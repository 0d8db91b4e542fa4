using System.Text.Json;

namespace Valet.Core.Configuration;

/// <summary>
/// Reads the members of one JSON object strictly: members not in the known set are reported, and
/// each typed read reports a wrong type or an out-of-range value instead of throwing. Every problem
/// is appended to the scope, so one pass finds them all.
/// </summary>
internal readonly struct JsonObjectReader
{
    private readonly ValidationScope _scope;
    private readonly JsonElement _object;

    private JsonObjectReader(ValidationScope scope, JsonElement obj, string path)
    {
        _scope = scope;
        _object = obj;
        Path = path;
    }

    public string Path { get; }

    /// <summary>Opens <paramref name="element"/> as an object whose members must be in <paramref name="known"/>.</summary>
    public static bool TryOpen(ValidationScope scope, JsonElement element, string path, string what,
        IReadOnlyList<string> known, out JsonObjectReader reader)
    {
        reader = default;
        if (element.ValueKind != JsonValueKind.Object)
        {
            scope.Error(path, $"{what} must be a JSON object, not {Describe(element)}");
            return false;
        }

        HashSet<string>? reported = null;
        foreach (var member in element.EnumerateObject())
        {
            // A member given twice is reported once as a duplicate, and once here if it is unknown.
            if (known.Contains(member.Name) || !(reported ??= new(StringComparer.Ordinal)).Add(member.Name)) continue;
            var close = known.FirstOrDefault(k => string.Equals(k, member.Name, StringComparison.OrdinalIgnoreCase));
            scope.NameError($"{path}.{member.Name}", close is not null
                ? $"unknown field '{member.Name}'; did you mean '{close}'? (field names are case-sensitive)"
                : $"unknown field '{member.Name}'; the fields of {what} are: {string.Join(", ", known)}");
        }

        reader = new JsonObjectReader(scope, element, path);
        return true;
    }

    public string MemberPath(string name) => $"{Path}.{name}";

    public bool TryGet(string name, out JsonElement value)
    {
        if (_object.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null) return true;
        value = default;
        return false;
    }

    public string? String(string name, bool required = false)
    {
        if (!TryGet(name, out var value))
        {
            if (required) _scope.Error(Path, $"missing required field '{name}' (a string)");
            return null;
        }

        if (value.ValueKind == JsonValueKind.String) return value.GetString();
        _scope.Error(MemberPath(name), $"'{name}' must be a string, not {Describe(value)}");
        return null;
    }

    public bool? Bool(string name)
    {
        if (!TryGet(name, out var value)) return null;
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False) return value.GetBoolean();
        _scope.Error(MemberPath(name), $"'{name}' must be true or false, not {Describe(value)}");
        return null;
    }

    public long? Integer(string name, long min, long max, bool required = false)
    {
        if (!TryGet(name, out var value))
        {
            if (required) _scope.Error(Path, $"missing required field '{name}' (a whole number from {min} to {max})");
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var number))
        {
            _scope.Error(MemberPath(name), $"'{name}' must be a whole number from {min} to {max}, not {Describe(value)}");
            return null;
        }

        if (number < min || number > max)
        {
            _scope.Error(MemberPath(name), $"'{name}' is {number}; it must be from {min} to {max}");
            return null;
        }

        return number;
    }

    public double? Number(string name, double minExclusive, double max)
    {
        if (!TryGet(name, out var value)) return null;
        if (value.ValueKind != JsonValueKind.Number)
        {
            _scope.Error(MemberPath(name), $"'{name}' must be a number, not {Describe(value)}");
            return null;
        }

        var number = value.GetDouble();
        if (number <= minExclusive || number > max)
        {
            _scope.Error(MemberPath(name), $"'{name}' is {number}; it must be more than {minExclusive} and at most {max}");
            return null;
        }

        return number;
    }

    /// <summary>The array member <paramref name="name"/>, or null (reported) when it is not an array.</summary>
    public JsonElement? Array(string name)
    {
        if (!TryGet(name, out var value)) return null;
        if (value.ValueKind == JsonValueKind.Array) return value;
        _scope.Error(MemberPath(name), $"'{name}' must be a JSON array, not {Describe(value)}");
        return null;
    }

    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{Truncate(value.GetString()!)}\"",
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => $"{value.GetRawText()}",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "...";
}
