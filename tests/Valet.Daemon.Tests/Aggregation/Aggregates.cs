using System.Text.Json;
using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Aggregation;

/// <summary>App files for aggregate tests.</summary>
internal static class Aggregates
{
    /// <summary>An aggregate app over <paramref name="parts"/>.</summary>
    public static Dictionary<string, object?> Aggregate(string name, object[] parts, double? timeout = null, bool includeMeta = false) => new()
    {
        ["name"] = name,
        ["aggregate"] = new Dictionary<string, object?> { ["parts"] = parts, ["timeout"] = timeout, ["includeMeta"] = includeMeta },
    };

    /// <summary>One part; nulls are left out of the file (the parser reads a JSON null as absent).</summary>
    public static Dictionary<string, object?> Part(string key, string app, string path = "/", string? method = null, bool? required = null, double? timeout = null) => new()
    {
        ["key"] = key,
        ["app"] = app,
        ["path"] = path,
        ["method"] = method,
        ["required"] = required,
        ["timeout"] = timeout,
    };

    public static Dictionary<string, object?> App(string name, params GatedBackend[] backends) => TestGateway.App(name, backends.Select(b => b.Backend).ToArray());

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    public static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values) ? string.Join(",", values) : "";

    public static IEnumerable<string> MemberNames(JsonElement element) => element.EnumerateObject().Select(p => p.Name);
}
