using System.Net;
using System.Text.Json;
using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Mocking;

public sealed class MockTests
{
    private static Dictionary<string, object?> MockApp(string name, object[] mocks, TestBackend? backend = null)
    {
        var app = new Dictionary<string, object?> { ["name"] = name, ["mocks"] = mocks };
        if (backend is not null) app["endpoints"] = new[] { new { host = "127.0.0.1", port = backend.Port } };
        return app;
    }

    [Fact]
    public async Task Mock_ExactAndPrefixMatch_AnsweredWithoutBackend()
    {
        await using var backend = await TestBackend.StartNamedAsync("real");
        await using var gateway = await TestGateway.StartAsync([MockApp("svc",
        [
            new { method = "GET", path = "/users", body = new[] { new { id = 1 } } },
            new { path = "/files/*", status = 202, headers = new Dictionary<string, string> { ["X-Mock"] = "yes", ["Content-Type"] = "text/csv" }, body = "a,b\n" },
        ], backend)]);

        using var exact = await gateway.Client.GetAsync("/svc/users");
        using var prefix = await gateway.Client.DeleteAsync("/svc/files/a/b.csv");
        using var notExact = await gateway.Client.GetAsync("/svc/users/1");
        using var wrongMethod = await gateway.Client.PostAsync("/svc/users", new StringContent(""));

        exact.StatusCode.Should().Be(HttpStatusCode.OK);
        exact.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        JsonDocument.Parse(await exact.Content.ReadAsStringAsync()).RootElement[0].GetProperty("id").GetInt32().Should().Be(1);
        ((int)prefix.StatusCode).Should().Be(202);
        prefix.Headers.GetValues("X-Mock").Should().Equal("yes");
        prefix.Content.Headers.ContentType!.MediaType.Should().Be("text/csv");
        (await prefix.Content.ReadAsStringAsync()).Should().Be("a,b\n");
        (await notExact.Content.ReadAsStringAsync()).Should().Be("real");
        (await wrongMethod.Content.ReadAsStringAsync()).Should().Be("real");
        backend.Hits.Should().Be(2);
    }

    [Fact]
    public async Task Mock_MockOnlyAppUnmatched_404Problem()
    {
        await using var gateway = await TestGateway.StartAsync([MockApp("svc", [new { path = "/only" }])]);

        using var response = await gateway.Client.GetAsync("/svc/other");

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("type").GetString()
            .Should().Be("urn:valet:problem:no-matching-mock");
    }

    [Fact]
    public async Task Mock_BodyFile_ServedWithTypeFromExtension()
    {
        await using var gateway = await TestGateway.StartAsync([MockApp("svc", [new { path = "/data", bodyFile = "data/answer.json" }])],
            prepare: conf =>
            {
                Directory.CreateDirectory(Path.Combine(conf.Path, "data"));
                conf.Write("data/answer.json", "{\"answer\":42}");
            });

        using var response = await gateway.Client.GetAsync("/svc/data");

        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        (await response.Content.ReadAsStringAsync()).Should().Be("{\"answer\":42}");
    }

    [Fact]
    public async Task Mock_HeadRequest_HeadersWithoutBody()
    {
        await using var gateway = await TestGateway.StartAsync([MockApp("svc", [new { path = "/x", body = "12345" }])]);

        using var response = await gateway.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/svc/x"));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentLength.Should().Be(5);
        (await response.Content.ReadAsByteArrayAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task Mock_SampleHelloApp_AnswersOnFreshConf()
    {
        var repoConf = Path.Combine(RepoRoot.Find(), "conf", "hello.json");
        await using var gateway = await TestGateway.StartAsync([], prepare: conf => File.Copy(repoConf, Path.Combine(conf.Path, "hello.json")));

        using var response = await gateway.Client.GetAsync("/hello/");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("message").GetString().Should().Be("Hello from Valet");
    }

    [Theory]
    [InlineData(204)]
    [InlineData(205)]
    [InlineData(304)]
    public async Task Mock_StatusThatCarriesNoBody_AnsweredWithoutTheBody(int status)
    {
        await using var gateway = await TestGateway.StartAsync([MockApp("svc", [new { path = "/", status, body = "ignored" }])]);

        using var response = await gateway.Client.GetAsync("/svc/");

        ((int)response.StatusCode).Should().Be(status);
        (await response.Content.ReadAsByteArrayAsync()).Should().BeEmpty();
    }
}
