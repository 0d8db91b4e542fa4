using System.Net;
using System.Text;
using System.Text.Json;
using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Admin;

/// <summary>Requirement 3: PUT /apis/{name}.</summary>
public sealed class PutAppTests
{
    [Fact]
    public async Task Put_NewApp_201FileWrittenAndServed()
    {
        await using var gateway = await TestGateway.StartAsync([TestGateway.MockApp("svc")]);
        var file = JsonAnswers.MockApp("fresh", "fresh!");

        using var response = await gateway.Admin.PutAsync("/apis/fresh", JsonAnswers.Body(file));

        response.StatusCode.Should().Be(HttpStatusCode.Created);
        response.Headers.Location!.OriginalString.Should().Be("/apis/fresh");
        var app = await response.JsonAsync();
        app.GetProperty("name").GetString().Should().Be("fresh");
        app.GetProperty("lastLoad").GetProperty("status").GetString().Should().Be("added");
        response.Headers.ETag!.Tag.Should().Be($"\"{app.GetProperty("revision").GetString()}\"");
        File.ReadAllText(Path.Combine(gateway.Conf.Path, "fresh.json")).Should().Be(file);
        (await gateway.Client.GetStringAsync("/fresh/")).Should().Be("fresh!");
        (await gateway.Client.GetStringAsync("/svc/")).Should().Be("hi");
    }

    [Fact]
    public async Task Put_ExistingApp_200NewConfigServes()
    {
        await using var backend = await TestBackend.StartNamedAsync("backend");
        await using var gateway = await TestGateway.StartAsync([TestGateway.MockApp("svc", "old")]);

        using var response = await gateway.Admin.PutAsync("/apis/svc", JsonAnswers.Body(JsonAnswers.AppFile("svc", backend)));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.JsonAsync()).GetProperty("lastLoad").GetProperty("status").GetString().Should().Be("updated");
        (await gateway.Client.GetStringAsync("/svc/x")).Should().Be("backend");
        backend.Hits.Should().Be(1);
    }

    [Fact]
    public async Task Put_SameContent_200Unchanged()
    {
        var file = JsonAnswers.MockApp("svc", "same");
        await using var gateway = await TestGateway.StartAsync([], prepare: conf => conf.Write("svc.json", file));

        using var response = await gateway.Admin.PutAsync("/apis/svc", JsonAnswers.Body(file));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.JsonAsync()).GetProperty("lastLoad").GetProperty("status").GetString().Should().Be("unchanged");
    }

    [Fact]
    public async Task Put_InvalidApp_422WithEveryError_NothingWrittenOldServing()
    {
        await using var gateway = await TestGateway.StartAsync([TestGateway.MockApp("svc", "old")]);
        var before = FolderSnapshot.Of(gateway.Conf.Path);
        const string invalid = """
            {
              "name": "svc",
              "retries": 3,
              "timeout": 0,
              "endpoints": [ { "host": "http://a.example", "port": 99999, "scheme": "ftp" } ]
            }
            """;

        using var response = await gateway.Admin.PutAsync("/apis/svc", JsonAnswers.Body(invalid));

        response.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = await response.JsonAsync();
        problem.GetProperty("type").GetString().Should().Be("urn:valet:admin:invalid-app");
        var errors = problem.GetProperty("errors").EnumerateArray().ToList();
        errors.Select(e => e.GetProperty("path").GetString()).Should().BeEquivalentTo(
            "$.retries", "$.timeout", "$.endpoints[0].host", "$.endpoints[0].port", "$.endpoints[0].scheme");
        var port = errors.Single(e => e.GetProperty("path").GetString() == "$.endpoints[0].port");
        port.GetProperty("file").GetString().Should().Be("svc.json");
        port.GetProperty("line").GetInt32().Should().Be(5);
        port.GetProperty("column").GetInt32().Should().BeGreaterThan(1);
        port.GetProperty("message").GetString().Should().Contain("65535");
        before.ShouldEqual(FolderSnapshot.Of(gateway.Conf.Path));
        (await gateway.Client.GetStringAsync("/svc/")).Should().Be("old");
    }

    [Fact]
    public async Task Put_NameDiffersFromUrl_400NothingWritten()
    {
        await using var gateway = await TestGateway.StartAsync([TestGateway.MockApp("svc")]);
        var before = FolderSnapshot.Of(gateway.Conf.Path);

        using var response = await gateway.Admin.PutAsync("/apis/svc", JsonAnswers.Body(JsonAnswers.MockApp("other", "x")));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var problem = await response.JsonAsync();
        problem.GetProperty("type").GetString().Should().Be("urn:valet:admin:name-mismatch");
        problem.GetProperty("detail").GetString().Should().Contain("'svc'").And.Contain("\"other\"");
        before.ShouldEqual(FolderSnapshot.Of(gateway.Conf.Path));
        gateway.Config.Current.TryGetApp("other", out _).Should().BeFalse();
    }

    [Fact]
    public async Task Put_IfMatchCurrentETag_200_StaleETag_412NothingWritten()
    {
        await using var gateway = await TestGateway.StartAsync([TestGateway.MockApp("svc", "v1")]);
        var etag = (await gateway.Admin.GetAsync("/apis/svc")).Headers.ETag!.Tag;

        var first = new HttpRequestMessage(HttpMethod.Put, "/apis/svc") { Content = JsonAnswers.Body(JsonAnswers.MockApp("svc", "v2")) };
        first.Headers.TryAddWithoutValidation("If-Match", etag);
        using var applied = await gateway.Admin.SendAsync(first);
        var before = FolderSnapshot.Of(gateway.Conf.Path);
        var second = new HttpRequestMessage(HttpMethod.Put, "/apis/svc") { Content = JsonAnswers.Body(JsonAnswers.MockApp("svc", "v3")) };
        second.Headers.TryAddWithoutValidation("If-Match", etag);
        using var stale = await gateway.Admin.SendAsync(second);

        applied.StatusCode.Should().Be(HttpStatusCode.OK);
        applied.Headers.ETag!.Tag.Should().NotBe(etag);
        stale.StatusCode.Should().Be(HttpStatusCode.PreconditionFailed);
        (await stale.JsonAsync()).GetProperty("detail").GetString().Should().Contain(applied.Headers.ETag!.Tag);
        before.ShouldEqual(FolderSnapshot.Of(gateway.Conf.Path));
        (await gateway.Client.GetStringAsync("/svc/")).Should().Be("v2");
    }

    [Theory]
    [InlineData("If-Match", "*", "absent", HttpStatusCode.PreconditionFailed)]
    [InlineData("If-Match", "\"0123456789abcdef\"", "absent", HttpStatusCode.PreconditionFailed)]
    [InlineData("If-None-Match", "*", "svc", HttpStatusCode.PreconditionFailed)]
    [InlineData("If-None-Match", "*", "absent", HttpStatusCode.Created)]
    [InlineData("If-Match", "*", "svc", HttpStatusCode.OK)]
    public async Task Put_Conditions(string header, string value, string name, HttpStatusCode expected)
    {
        await using var gateway = await TestGateway.StartAsync([TestGateway.MockApp("svc")]);
        var request = new HttpRequestMessage(HttpMethod.Put, "/apis/" + name) { Content = JsonAnswers.Body(JsonAnswers.MockApp(name, "new")) };
        request.Headers.TryAddWithoutValidation(header, value);

        using var response = await gateway.Admin.SendAsync(request);

        response.StatusCode.Should().Be(expected);
        File.Exists(Path.Combine(gateway.Conf.Path, "absent.json")).Should().Be(expected == HttpStatusCode.Created);
    }

    [Fact]
    public async Task Put_AppLivingInAnotherFile_ReplacesThatFile()
    {
        await using var gateway = await TestGateway.StartAsync([], prepare: conf => conf.Write("legacy.json", JsonAnswers.MockApp("svc", "old")));

        using var response = await gateway.Admin.PutAsync("/apis/svc", JsonAnswers.Body(JsonAnswers.MockApp("svc", "new")));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        File.Exists(Path.Combine(gateway.Conf.Path, "svc.json")).Should().BeFalse();
        File.ReadAllText(Path.Combine(gateway.Conf.Path, "legacy.json")).Should().Contain("new");
        (await gateway.Client.GetStringAsync("/svc/")).Should().Be("new");
    }

    [Fact]
    public async Task Put_FileNameHeldByAnotherApp_409NothingWritten()
    {
        await using var gateway = await TestGateway.StartAsync([], prepare: conf => conf.Write("foo.json", JsonAnswers.MockApp("bar", "bar")));
        var before = FolderSnapshot.Of(gateway.Conf.Path);

        using var response = await gateway.Admin.PutAsync("/apis/foo", JsonAnswers.Body(JsonAnswers.MockApp("foo", "foo")));

        response.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await response.JsonAsync()).GetProperty("detail").GetString().Should().Contain("foo.json holds app 'bar'");
        before.ShouldEqual(FolderSnapshot.Of(gateway.Conf.Path));
    }

    [Fact]
    public async Task Put_ManyAtOnce_SerialisedAllApplied_NoTemporaryFilesLeft()
    {
        await using var gateway = await TestGateway.StartAsync([TestGateway.MockApp("svc")]);

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            gateway.Admin.PutAsync($"/apis/app{i}", JsonAnswers.Body(JsonAnswers.MockApp($"app{i}", $"app {i}")))));

        responses.Select(r => r.StatusCode).Should().AllBeEquivalentTo(HttpStatusCode.Created);
        gateway.Config.Current.Count.Should().Be(21);
        for (var i = 0; i < 20; i++) (await gateway.Client.GetStringAsync($"/app{i}/")).Should().Be($"app {i}");
        Directory.GetFiles(gateway.Conf.Path).Select(Path.GetFileName).Should().BeEquivalentTo(
            Enumerable.Range(0, 20).Select(i => $"app{i}.json").Append("svc.json"));
    }

    [Fact]
    public async Task Put_BodyBytesKeptExactly_RevisionIsTheirHash()
    {
        await using var gateway = await TestGateway.StartAsync([TestGateway.MockApp("svc")]);
        var bytes = Encoding.UTF8.GetBytes("{\n  \"name\": \"fmt\",   \"mocks\": [ { \"path\": \"/\", \"body\": \"é\" } ]\n}\n");

        using var response = await gateway.Admin.PutAsync("/apis/fmt", new ByteArrayContent(bytes));

        response.StatusCode.Should().Be(HttpStatusCode.Created);
        File.ReadAllBytes(Path.Combine(gateway.Conf.Path, "fmt.json")).Should().Equal(bytes);
        (await response.JsonAsync()).GetProperty("revision").GetString().Should().Be(Valet.Core.Configuration.AppDirectoryLoader.Revision(bytes));
    }

    [Fact]
    public async Task Put_SecretInBody_NotEchoed()
    {
        await using var backend = await TestBackend.StartNamedAsync("b");
        await using var gateway = await TestGateway.StartAsync([TestGateway.MockApp("svc")]);
        var app = TestGateway.App("auth", backend);
        app["authorize"] = true;
        app["authKey"] = "very-secret-key-42";

        using var response = await gateway.Admin.PutAsync("/apis/auth", JsonAnswers.Body(JsonSerializer.Serialize(app)));

        response.StatusCode.Should().Be(HttpStatusCode.Created);
        (await response.Content.ReadAsStringAsync()).Should().NotContain("very-secret-key-42").And.Contain("\"authKey\": \"***\"");
        (await gateway.Admin.GetStringAsync("/apis")).Should().NotContain("very-secret-key-42");
    }
}
