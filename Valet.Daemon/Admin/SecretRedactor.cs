using System.Text.Json;

namespace Valet.Daemon.Admin;

/// <summary>
/// Copies an app file's JSON with every secret replaced by <c>"***"</c>: the scalar values under any
/// member whose name ends in <c>key</c>, <c>secret</c>, <c>password</c> or <c>token</c> (or their
/// plurals, any case), at any depth. That covers <c>authKey</c> and <c>keys[].key</c>, and errs on
/// the side of hiding.
/// </summary>
public static class SecretRedactor
{
    public const string Mask = "***";

    private static readonly string[] SecretSuffixes = ["key", "secret", "password", "token"];

    public static bool IsSecretName(string name)
    {
        var singular = name.EndsWith('s') ? name[..^1] : name;
        foreach (var suffix in SecretSuffixes)
        {
            if (name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) || singular.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)) return true;
        }

        return false;
    }

    /// <summary>Writes <paramref name="element"/> with its secrets masked.</summary>
    public static void Write(Utf8JsonWriter json, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                json.WriteStartObject();
                foreach (var member in element.EnumerateObject())
                {
                    json.WritePropertyName(member.Name);
                    if (IsSecretName(member.Name)) WriteMasked(json, member.Value);
                    else Write(json, member.Value);
                }

                json.WriteEndObject();
                break;
            case JsonValueKind.Array:
                json.WriteStartArray();
                foreach (var item in element.EnumerateArray()) Write(json, item);
                json.WriteEndArray();
                break;
            default:
                element.WriteTo(json);
                break;
        }
    }

    // Under a secret member: scalars are masked; objects are walked again by member name
    // (so "keys": [{ "id": "a", "key": "..." }] keeps the id and hides the key).
    private static void WriteMasked(Utf8JsonWriter json, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                Write(json, element);
                break;
            case JsonValueKind.Array:
                json.WriteStartArray();
                foreach (var item in element.EnumerateArray()) WriteMasked(json, item);
                json.WriteEndArray();
                break;
            case JsonValueKind.Null:
                json.WriteNullValue();
                break;
            default:
                json.WriteStringValue(Mask);
                break;
        }
    }
}
