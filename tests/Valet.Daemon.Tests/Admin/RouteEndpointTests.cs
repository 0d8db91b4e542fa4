using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Admin;

/// <summary>
/// Issue 11, requirement 1: <c>PUT</c> and <c>DELETE /apis/{name}/routes/{id}</c> add, replace and
/// remove one route of an app without the client sending the rest of the app; the file is written
/// through the same validator, atomic write and apply path as <c>PUT /apis/{name}</c>.
/// </summary>
public sealed class RouteEndpointTests
{
    private static Task<TestBackend> Named(string name) => TestBackend.StartAsync(c => c.Response.WriteAsync(name));

    private static async Task<(TestGateway Gateway, TestBackend Main)> StartAsync()
    {
        var main = await Named("main");
        var app = TestGateway.App("api", main);
        app["description"] = "keeps its other members";
        app["routes"] = new object[] { new { id = "old", path = "/old", target = $"http://127.0.0.1:{main.Port}/legacy" } };
        return (await TestGateway.StartAsync([app]), main);
    }

    private static async Task<string> Get(TestGateway gateway, string path)
    {
        using var response = await gateway.Client.GetAsync(path);
        return $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
    }

    [Fact]
    public async Task PutRoute_New_201ServedAndOtherMembersKept()
    {
        var (gateway, main) = await StartAsync();
        await using var ownsMain = main;
        await using var ownsGateway = gateway;
        await using var users = await Named("users");

        using var response = await gateway.Admin.PutAsync("/apis/api/routes/users",
            JsonAnswers.Body($$"""{ "path": "/users", "methods": [ "GET" ], "endpoints": [ { "host": "127.0.0.1", "port": {{users.Port}} } ] }"""));

        response.StatusCode.Should().Be(HttpStatusCode.Created);
        response.Headers.Location!.OriginalString.Should().Be("/apis/api/routes/users");
        (await Get(gateway, "/api/users/7")).Should().Be("200 users");
        (await Get(gateway, "/api/old")).Should().Be("200 main");
        main.Seen.Single().RawTarget.Should().Be("/legacy", "the route that was there still serves");
        using var file = JsonDocument.Parse(File.ReadAllText(Path.Combine(gateway.Conf.Path, "api.json")));
        file.RootElement.GetProperty("description").GetString().Should().Be("keeps its other members");
        file.RootElement.GetProperty("routes").EnumerateArray().Select(r => r.GetProperty("id").GetString()).Should().Equal("old", "users");

        using var route = await gateway.Admin.GetAsync("/apis/api/routes/users");
        route.StatusCode.Should().Be(HttpStatusCode.OK);
        var body = await route.JsonAsync();
        body.GetProperty("path").GetString().Should().Be("/users");
        body.GetProperty("methods").EnumerateArray().Select(m => m.GetString()).Should().Equal("GET");
    }

    [Fact]
    public async Task PutRoute_Existing_200Replaced_DeleteRoute_204FallsBackToAppEndpoints()
    {
        var (gateway, main) = await StartAsync();
        await using var ownsMain = main;
        await using var ownsGateway = gateway;
        await using var fresh = await Named("fresh");

        using var replaced = await gateway.Admin.PutAsync("/apis/api/routes/old",
            JsonAnswers.Body($$"""{ "id": "old", "path": "/old", "target": "http://127.0.0.1:{{fresh.Port}}/v2" }"""));
        replaced.StatusCode.Should().Be(HttpStatusCode.OK);
        (await Get(gateway, "/api/old")).Should().Be("200 fresh");

        using var deleted = await gateway.Admin.DeleteAsync("/apis/api/routes/old");
        deleted.StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await Get(gateway, "/api/old")).Should().Be("200 main");
        main.Seen.Single().RawTarget.Should().Be("/old", "without the route the app's endpoints serve the whole path");
        using var file = JsonDocument.Parse(File.ReadAllText(Path.Combine(gateway.Conf.Path, "api.json")));
        file.RootElement.TryGetProperty("routes", out _).Should().BeFalse("the last route removed leaves no empty list behind");

        using var again = await gateway.Admin.DeleteAsync("/apis/api/routes/old");
        again.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await again.Content.ReadAsStringAsync()).Should().Contain("has no route 'old'");
    }

    [Fact]
    public async Task PutRoute_Invalid_422WithThePathOfTheError_NothingWritten()
    {
        var (gateway, main) = await StartAsync();
        await using var ownsMain = main;
        await using var ownsGateway = gateway;
        var before = FolderSnapshot.Of(gateway.Conf.Path);

        using var response = await gateway.Admin.PutAsync("/apis/api/routes/bad", JsonAnswers.Body("""{ "path": "/bad", "target": "ftp://x.example/" }"""));

        response.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await response.Content.ReadAsStringAsync()).Should().Contain("$.routes[1].target");
        FolderSnapshot.Of(gateway.Conf.Path).ShouldEqual(before);
        (await Get(gateway, "/api/old")).Should().Be("200 main");
    }

    [Theory]
    [InlineData("[ 1 ]", "not an array")]
    [InlineData("{ \"path\": ", "not valid JSON")]
    [InlineData("{ \"id\": \"other\", \"path\": \"/x\", \"target\": \"http://127.0.0.1:1/\" }", "must agree")]
    public async Task PutRoute_BadBody_400NothingWritten(string body, string message)
    {
        var (gateway, main) = await StartAsync();
        await using var ownsMain = main;
        await using var ownsGateway = gateway;
        var before = FolderSnapshot.Of(gateway.Conf.Path);

        using var response = await gateway.Admin.PutAsync("/apis/api/routes/r1", JsonAnswers.Body(body));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).Should().Contain(message);
        FolderSnapshot.Of(gateway.Conf.Path).ShouldEqual(before);
    }

    [Theory]
    [InlineData("PUT", "/apis/nope/routes/r1", HttpStatusCode.NotFound)]
    [InlineData("PUT", "/apis/api/routes/Upper", HttpStatusCode.BadRequest)]
    [InlineData("PUT", "/apis/api/routes/a%2Fb", HttpStatusCode.BadRequest)]
    [InlineData("DELETE", "/apis/api/routes/", HttpStatusCode.BadRequest)]
    [InlineData("GET", "/apis/api/routes/missing", HttpStatusCode.NotFound)]
    [InlineData("POST", "/apis/api/routes/r1", HttpStatusCode.MethodNotAllowed)]
    public async Task RouteTarget_BadNameAppOrMethod_ClearErrorNothingChanged(string method, string target, HttpStatusCode expected)
    {
        var (gateway, main) = await StartAsync();
        await using var ownsMain = main;
        await using var ownsGateway = gateway;
        var before = FolderSnapshot.Of(gateway.Conf.Path);

        using var request = new HttpRequestMessage(new HttpMethod(method), target);
        if (method is "PUT" or "POST") request.Content = JsonAnswers.Body("""{ "path": "/x", "target": "http://127.0.0.1:1/" }""");
        using var response = await gateway.Admin.SendAsync(request);

        response.StatusCode.Should().Be(expected);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        FolderSnapshot.Of(gateway.Conf.Path).ShouldEqual(before);
    }

    [Fact]
    public async Task PutRoute_StaleIfMatch_412_FileEditedOnDisk_409_NothingWritten()
    {
        var (gateway, main) = await StartAsync();
        await using var ownsMain = main;
        await using var ownsGateway = gateway;
        var route = $$"""{ "path": "/x", "target": "http://127.0.0.1:{{main.Port}}/" }""";

        using var stale = new HttpRequestMessage(HttpMethod.Put, "/apis/api/routes/x") { Content = JsonAnswers.Body(route) };
        stale.Headers.IfMatch.Add(new EntityTagHeaderValue("\"0000000000000000\""));
        (await gateway.Admin.SendAsync(stale)).StatusCode.Should().Be(HttpStatusCode.PreconditionFailed);

        var edited = File.ReadAllText(Path.Combine(gateway.Conf.Path, "api.json")).Replace("keeps its other members", "edited by hand");
        gateway.Conf.Write("api.json", edited);
        using var conflict = await gateway.Admin.PutAsync("/apis/api/routes/x", JsonAnswers.Body(route));

        conflict.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await conflict.Content.ReadAsStringAsync()).Should().Contain("changed on disk");
        File.ReadAllText(Path.Combine(gateway.Conf.Path, "api.json")).Should().Be(edited, "the hand edit is not lost");
    }
}
