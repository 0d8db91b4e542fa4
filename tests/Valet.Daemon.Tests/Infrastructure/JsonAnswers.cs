using System.Text;
using System.Text.Json;

namespace Valet.Daemon.Tests.Infrastructure;

/// <summary>Reading JSON answers and sending JSON bodies in admin tests.</summary>
public static class JsonAnswers
{
    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>A body of exactly these bytes, labelled as JSON.</summary>
    public static ByteArrayContent Body(string json)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        return content;
    }

    /// <summary>An app file forwarding to <paramref name="backends"/> on 127.0.0.1, as JSON text.</summary>
    public static string AppFile(string name, params TestBackend[] backends) =>
        JsonSerializer.Serialize(TestGateway.App(name, backends));

    /// <summary>A mock-only app file answering GET / with <paramref name="text"/>.</summary>
    public static string MockApp(string name, string text, string description = "") =>
        JsonSerializer.Serialize(TestGateway.MockApp(name, text, description));
}
