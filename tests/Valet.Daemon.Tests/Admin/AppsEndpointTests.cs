using System.Net;
using System.Text.Json;
using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Admin;

/// <summary>Requirement 2: GET /apis and GET /apis/{name}.</summary>
public sealed class AppsEndpointTests
{
    private const string Key = "thisismyauth-5f1c2a";

    [Fact]
    public async Task GetApis_EveryAppWithItsSummary()
    {
        await using var backend = await TestBackend.StartNamedAsync("b");
        var svc = TestGateway.App("svc", backend);
        svc["description"] = "the service";
        svc["methods"] = new[] { "GET", "POST" };
        svc["authorize"] = true;
        svc["authKey"] = Key;
        svc["rateLimit"] = true;
        svc["limitValue"] = 2;
        await using var gateway = await TestGateway.StartAsync([svc, TestGateway.MockApp("hello")]);
        (await gateway.GetAsync("/svc/x", ("X-Valet-Auth", Key))).Dispose();

        using var response = await gateway.Admin.GetAsync("/apis");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        var text = await response.Content.ReadAsStringAsync();
        text.Should().NotContain(Key);
        var body = JsonDocument.Parse(text).RootElement;
        body.GetProperty("lastLoad").GetProperty("ok").GetBoolean().Should().BeTrue();
        var apps = body.GetProperty("apps").EnumerateArray().ToList();
        apps.Select(a => a.GetProperty("name").GetString()).Should().Equal("hello", "svc");

        var app = apps[1];
        app.GetProperty("description").GetString().Should().Be("the service");
        app.GetProperty("sourceFile").GetString().Should().Be(Path.Combine(gateway.Conf.Path, "svc.json"));
        app.GetProperty("revision").GetString().Should().Be(gateway.Config.Current.Apps.Single(a => a.Name == "svc").Revision);
        app.GetProperty("methods").EnumerateArray().Select(m => m.GetString()).Should().Equal("GET", "POST");
        var endpoint = app.GetProperty("endpoints").EnumerateArray().Single();
        endpoint.GetProperty("address").GetString().Should().Be($"http://127.0.0.1:{backend.Port}");
        endpoint.GetProperty("healthy").GetBoolean().Should().BeTrue();
        endpoint.GetProperty("inFlight").GetInt32().Should().Be(0);
        backend.Hits.Should().Be(1);
        app.GetProperty("auth").GetProperty("type").GetString().Should().Be("apiKey");
        app.GetProperty("auth").GetProperty("required").GetBoolean().Should().BeTrue();
        app.GetProperty("auth").GetProperty("header").GetString().Should().Be("X-Valet-Auth");
        app.GetProperty("aggregate").ValueKind.Should().Be(JsonValueKind.Null);
        app.GetProperty("auth").GetProperty("consumers").EnumerateArray().Select(c => c.GetString()).Should().Equal("default");
        app.GetProperty("rateLimit").GetProperty("enabled").GetBoolean().Should().BeTrue();
        app.GetProperty("rateLimit").GetProperty("limitValue").GetInt32().Should().Be(2);
        app.GetProperty("rateLimit").GetProperty("limitBy").GetString().Should().Be("app");
        var usage = app.GetProperty("rateLimit").GetProperty("usage");
        (usage.GetProperty("used").GetInt64(), usage.GetProperty("remaining").GetInt64()).Should().Be((1L, 1L));
        usage.GetProperty("resetSeconds").GetInt64().Should().BeInRange(1, 60);
        app.GetProperty("mocks").GetProperty("count").GetInt32().Should().Be(0);
        app.GetProperty("lastLoad").GetProperty("status").GetString().Should().Be("added");

        var hello = apps[0];
        hello.GetProperty("endpoints").GetArrayLength().Should().Be(0);
        hello.GetProperty("mocks").GetProperty("count").GetInt32().Should().Be(1);
        hello.GetProperty("mocks").GetProperty("routes")[0].GetString().Should().Be("GET / -> 200");
        hello.GetProperty("methods").ValueKind.Should().Be(JsonValueKind.Null);
        hello.GetProperty("auth").GetProperty("type").GetString().Should().Be("none");
    }

    [Fact]
    public async Task GetApis_Aggregate_ListsItsParts()
    {
        var aggregate = new Dictionary<string, object?>
        {
            ["name"] = "combo",
            ["aggregate"] = new { parts = new object[] { new { key = "a", app = "hello", path = "/" }, new { key = "b", app = "hello", path = "/x" } } },
        };
        await using var gateway = await TestGateway.StartAsync([TestGateway.MockApp("hello"), aggregate]);

        using var response = await gateway.Admin.GetAsync("/apis");

        var combo = (await response.JsonAsync()).GetProperty("apps").EnumerateArray().Single(a => a.GetProperty("name").GetString() == "combo");
        combo.GetProperty("aggregate").GetProperty("parts").EnumerateArray()
            .Select(p => (p.GetProperty("key").GetString(), p.GetProperty("app").GetString(), p.GetProperty("path").GetString()))
            .Should().Equal(("a", "hello", "/"), ("b", "hello", "/x"));
    }

    [Fact]
    public async Task GetApp_OneAppWithETagAndRedactedConfig()
    {
        await using var backend = await TestBackend.StartNamedAsync("b");
        var svc = TestGateway.App("svc", backend);
        svc["authorize"] = true;
        svc["authKey"] = Key;
        await using var gateway = await TestGateway.StartAsync([svc]);
        var revision = gateway.Config.Current.Apps.Single().Revision;

        using var response = await gateway.Admin.GetAsync("/apis/svc");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Headers.ETag!.Tag.Should().Be($"\"{revision}\"");
        var text = await response.Content.ReadAsStringAsync();
        text.Should().NotContain(Key);
        var app = JsonDocument.Parse(text).RootElement;
        app.GetProperty("name").GetString().Should().Be("svc");
        app.GetProperty("revision").GetString().Should().Be(revision);
        var config = app.GetProperty("config");
        config.GetProperty("authKey").GetString().Should().Be("***");
        config.GetProperty("authorize").GetBoolean().Should().BeTrue();
        config.GetProperty("endpoints")[0].GetProperty("port").GetInt32().Should().Be(backend.Port);
    }

    [Fact]
    public async Task GetApp_Head_HeadersWithoutBody()
    {
        await using var gateway = await TestGateway.StartAsync([TestGateway.MockApp("svc")]);

        using var response = await gateway.Admin.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/apis/svc"));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Headers.ETag.Should().NotBeNull();
        (await response.Content.ReadAsByteArrayAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task GetApp_Unknown_404Problem()
    {
        await using var gateway = await TestGateway.StartAsync([TestGateway.MockApp("svc")]);

        using var response = await gateway.Admin.GetAsync("/apis/nope");

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = await response.JsonAsync();
        problem.GetProperty("type").GetString().Should().Be("urn:valet:admin:unknown-app");
        problem.GetProperty("detail").GetString().Should().Contain("nope");
        problem.GetProperty("requestId").GetString().Should().NotBeEmpty();
    }

    [Fact]
    public async Task GetApp_EndpointFailed_ShowsUnhealthyUntil()
    {
        await using var backend = await TestBackend.StartNamedAsync("b");
        var closed = ClosedPort.Get();
        var svc = new Dictionary<string, object?>
        {
            ["name"] = "svc",
            ["endpoints"] = new[] { new { host = "127.0.0.1", port = closed }, new { host = "127.0.0.1", port = backend.Port } },
        };
        await using var gateway = await TestGateway.StartAsync([svc]);
        (await gateway.Client.PostAsync("/svc/x", new StringContent("x"))).StatusCode.Should().Be(HttpStatusCode.BadGateway);

        var app = await (await gateway.Admin.GetAsync("/apis/svc")).JsonAsync();

        var endpoints = app.GetProperty("endpoints").EnumerateArray().ToList();
        endpoints[0].GetProperty("healthy").GetBoolean().Should().BeFalse();
        endpoints[0].GetProperty("unhealthyUntil").TryGetDateTimeOffset(out _).Should().BeTrue();
        endpoints[1].GetProperty("healthy").GetBoolean().Should().BeTrue();
        endpoints[1].GetProperty("unhealthyUntil").ValueKind.Should().Be(JsonValueKind.Null);
    }

    [Fact]
    public async Task GetApis_FailedFileAfterReload_ListedWithErrors_LastGoodStillListed()
    {
        await using var gateway = await TestGateway.StartAsync([TestGateway.MockApp("svc")]);
        gateway.Conf.Write("svc.json", "{ \"name\": \"svc\", \"mocks\": [");
        gateway.Conf.Write("new.json", "{ \"name\": \"new\" }");
        gateway.Config.Reload();

        var body = await (await gateway.Admin.GetAsync("/apis")).JsonAsync();

        body.GetProperty("lastLoad").GetProperty("ok").GetBoolean().Should().BeFalse();
        var svc = body.GetProperty("apps").EnumerateArray().Single();
        svc.GetProperty("lastLoad").GetProperty("status").GetString().Should().Be("failed");
        svc.GetProperty("lastLoad").GetProperty("stillServing").GetBoolean().Should().BeTrue();
        svc.GetProperty("lastLoad").GetProperty("errors")[0].GetProperty("message").GetString().Should().StartWith("invalid JSON");
        var failed = body.GetProperty("failedFiles").EnumerateArray().Single();
        failed.GetProperty("file").GetString().Should().Be("new.json");
        failed.GetProperty("errors")[0].GetProperty("message").GetString().Should().Contain("no endpoints and no mocks");
    }

    [Fact]
    public async Task GetApp_FileEditedOnDiskNotReloaded_ConfigNullWithNote()
    {
        await using var gateway = await TestGateway.StartAsync([TestGateway.MockApp("svc", "old")]);
        gateway.Conf.Write("svc.json", JsonAnswers.MockApp("svc", "new"));

        var app = await (await gateway.Admin.GetAsync("/apis/svc")).JsonAsync();

        app.GetProperty("config").ValueKind.Should().Be(JsonValueKind.Null);
        app.GetProperty("configNote").GetString().Should().Contain("no longer the served revision");
    }

    [Theory]
    [InlineData("authKey", true)]
    [InlineData("key", true)]
    [InlineData("keys", true)]
    [InlineData("clientSecret", true)]
    [InlineData("password", true)]
    [InlineData("peerToken", true)]
    [InlineData("authHeader", false)]
    [InlineData("name", false)]
    [InlineData("id", false)]
    public void SecretRedactor_Names(string name, bool secret)
    {
        Valet.Daemon.Admin.SecretRedactor.IsSecretName(name).Should().Be(secret);
    }

    [Fact]
    public void SecretRedactor_KeysArray_IdsKeptKeysMasked()
    {
        using var document = JsonDocument.Parse("""{ "authKey": "a", "keys": [ { "id": "alice", "key": "k1" }, { "id": "bob", "key": "sha256:00" } ], "other": { "apiKeys": ["x", "y"] } }""");
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer)) Valet.Daemon.Admin.SecretRedactor.Write(json, document.RootElement);

        var text = System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);

        text.Should().Be("""{"authKey":"***","keys":[{"id":"alice","key":"***"},{"id":"bob","key":"***"}],"other":{"apiKeys":["***","***"]}}""");
    }
}
