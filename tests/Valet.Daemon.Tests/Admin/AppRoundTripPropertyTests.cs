using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using Valet.Core.Tests.TestSupport;
using Valet.Daemon.Admin;
using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Admin;

/// <summary>
/// Property tests of the admin API with generated app files: a valid app PUT and read back with
/// GET comes back as it was sent (secrets masked), its file holds exactly the bytes sent, and it
/// serves; any other body is refused with a 4xx and leaves the folder as it was.
/// </summary>
[Trait("Category", "Reliability")]
public sealed class AppRoundTripPropertyTests
{
    private static ByteArrayContent Json(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    /// <summary>The app file as GET /apis/{name} shows it: secrets masked by the admin API's own rule.</summary>
    private static JsonNode Masked(byte[] body)
    {
        using var document = JsonDocument.Parse(body);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer)) SecretRedactor.Write(writer, document.RootElement);
        return JsonNode.Parse(buffer.ToArray())!;
    }

    [Fact]
    public async Task PutThenGet_ValidApp_ComesBackAsSentFileHoldsTheBytesAndItServes()
    {
        await using var gateway = await TestGateway.StartAsync([TestGateway.MockApp("keep")]);
        var apps = AppFileGen.ValidApp.Where(a => a["name"]!.GetValue<string>() != "keep");

        await Task.Run(() => Properties.Check(Prop.ForAll(apps.ToArbitrary(), app => RoundTripAsync(gateway, app).GetAwaiter().GetResult()), tests: 60));
    }

    private static async Task RoundTripAsync(TestGateway gateway, JsonObject app)
    {
        var name = app["name"]!.GetValue<string>();
        var body = Encoding.UTF8.GetBytes(app.ToJsonString());

        using (var put = await gateway.Admin.PutAsync($"/apis/{name}", Json(body)))
        {
            put.StatusCode.Should().BeOneOf([HttpStatusCode.Created, HttpStatusCode.OK], await put.Content.ReadAsStringAsync());
        }

        using var get = await gateway.Admin.GetAsync($"/apis/{name}");
        var text = await get.Content.ReadAsStringAsync();
        get.StatusCode.Should().Be(HttpStatusCode.OK);
        var shown = JsonNode.Parse(text)!;
        JsonNode.DeepEquals(shown["config"], Masked(body)).Should().BeTrue($"GET shows the file as PUT, secrets masked:\n{shown["config"]}\n{Masked(body)}");
        shown["description"]!.GetValue<string>().Should().Be(app["description"]!.GetValue<string>());
        if (app["authKey"] is { } key) text.Should().NotContain(key.GetValue<string>(), "a key is never shown");
        File.ReadAllBytes(Path.Combine(gateway.Conf.Path, name + ".json")).Should().Equal(body, "the file holds exactly the bytes sent");

        if (app["mocks"]?[0] is JsonObject mock) await MockServesAsync(gateway, app, name, mock);

        using var delete = await gateway.Admin.DeleteAsync($"/apis/{name}");
        delete.StatusCode.Should().Be(HttpStatusCode.NoContent);
        Directory.GetFiles(gateway.Conf.Path, "*.json").Select(Path.GetFileName).Should().Equal("keep.json");
    }

    /// <summary>The app's first mock answers its own path with its status: what was accepted serves.</summary>
    private static async Task MockServesAsync(TestGateway gateway, JsonObject app, string name, JsonObject mock)
    {
        var method = mock["method"]?.GetValue<string>() ?? "GET";
        if (app["methods"] is JsonArray methods && methods.All(m => m!.GetValue<string>() != method)) return;
        var request = new HttpRequestMessage(new HttpMethod(method), $"/{name}{mock["path"]!.GetValue<string>().Replace("*", "x")}");
        if (app["authKey"] is { } key) request.Headers.Add("X-Valet-Auth", key.GetValue<string>());
        using var response = await gateway.Client.SendAsync(request);
        ((int)response.StatusCode).Should().Be(mock["status"]!.GetValue<int>(), await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Put_AnyOtherBody_4xxAndTheFolderAsItWas()
    {
        await using var gateway = await TestGateway.StartAsync([TestGateway.MockApp("keep")]);
        var before = FolderSnapshot.Of(gateway.Conf.Path);

        await Task.Run(() => Properties.Check(Prop.ForAll(AppFileGen.AnyFile.ToArbitrary(), body =>
        {
            using var put = gateway.Admin.PutAsync("/apis/svc", Json(body)).GetAwaiter().GetResult();
            var status = (int)put.StatusCode;
            status.Should().BeLessThan(500, put.Content.ReadAsStringAsync().GetAwaiter().GetResult());
            if (status < 300)
            {
                // The generator made a valid file after all: it was applied; take it away again.
                gateway.Admin.DeleteAsync("/apis/svc").GetAwaiter().GetResult().StatusCode.Should().Be(HttpStatusCode.NoContent);
            }

            before.ShouldEqual(FolderSnapshot.Of(gateway.Conf.Path));
        }), tests: 150));
    }
}
