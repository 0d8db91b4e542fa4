using System.Text;
using Valet.Core.Configuration;
using Valet.Core.Tests.TestSupport;

namespace Valet.Core.Tests.Configuration;

public sealed class AppConfigParserTests
{
    private static AppParseResult Parse(string json, string baseDirectory = "/nonexistent") =>
        AppConfigParser.Parse("app.json", Encoding.UTF8.GetBytes(json), baseDirectory);

    [Fact]
    public void Parse_SeveralProblems_ReportsAllOfThemAtOnce()
    {
        var result = Parse(
            """
            {
              "name": "Bad/Name",
              "authorize": true,
              "timeout": 0,
              "extra": 1,
              "endpoints": [
                { "host": "http://x", "port": 0, "scheme": "ftp" },
                { "host": "ok.example", "port": 80, "path": "no-slash" }
              ],
              "mocks": [ { "path": "/m", "status": 700 } ]
            }
            """);

        result.Succeeded.Should().BeFalse();
        result.Config.Should().BeNull();
        result.Errors.Should().HaveCount(9);
        result.Errors.Select(e => e.Path).Should().Equal(
            "$.extra",
            "$.name",
            "$.authorize",
            "$.timeout",
            "$.endpoints[0].port",
            "$.endpoints[0].host",
            "$.endpoints[0].scheme",
            "$.endpoints[1].path",
            "$.mocks[0].status");
        result.Errors.Select(e => e.Line).Should().Equal(5, 2, 3, 4, 7, 7, 7, 8, 10);
        result.Errors.Should().OnlyContain(e => e.File == "app.json");
    }

    [Fact]
    public void Parse_DuplicateAndOtherProblems_ReportsBoth()
    {
        var result = Parse(
            """
            {
              "name": "api1",
              "timeout": 5,
              "timeout": -1,
              "endpoints": [ { "host": "a.example", "port": 0 } ]
            }
            """);

        result.Errors.Select(e => (e.Path, e.Line)).Should().Equal(
            ("$.timeout", 4),
            ("$.timeout", 4),
            ("$.endpoints[0].port", 5));
        result.Errors[0].Message.Should().Be("duplicate field 'timeout' (first given on line 3); remove one of them");
    }

    [Fact]
    public void Parse_UnknownFieldGivenTwice_ReportedOnceAsUnknownAndOnceAsDuplicate()
    {
        var result = Parse(
            """
            {
              "name": "api1",
              "retries": 1,
              "retries": 2,
              "endpoints": [ { "host": "a.example", "port": 8080 } ]
            }
            """);

        result.Errors.Select(e => (e.Line, e.Column, e.Path)).Should().Equal((4, 3, "$.retries"), (3, 3, "$.retries"));
        result.Errors[0].Message.Should().Be("duplicate field 'retries' (first given on line 3); remove one of them");
        result.Errors[1].Message.Should().StartWith("unknown field 'retries'; ");
    }

    [Fact]
    public void Parse_SameNameInDifferentObjects_IsNotADuplicate()
    {
        var result = Parse(
            """
            {
              "name": "api1",
              "endpoints": [
                { "host": "a.example", "port": 8080, "path": "/a" },
                { "host": "b.example", "port": 8080, "path": "/b" }
              ],
              "mocks": [ { "path": "/m", "headers": { "path": "x" } } ]
            }
            """);

        result.Errors.Should().BeEmpty();
        result.Succeeded.Should().BeTrue();
    }

    [Fact]
    public void Parse_SeedExampleUserAuth_LoadsUnchanged()
    {
        var path = Path.Combine(RepoRoot.Path, "conf", "examples", "userauth.json");

        var result = AppConfigParser.Parse("userauth.json", File.ReadAllBytes(path), Path.GetDirectoryName(path)!);

        result.Errors.Should().BeEmpty();
        var app = result.Config!;
        app.Name.Should().Be("userauth");
        app.Description.Should().Be("service to authorize users of system");
        app.Authorize.Should().BeTrue();
        app.AuthKey.Should().Be("thisismyauth");
        app.AuthHeader.Should().Be("X-Valet-Auth");
        app.RateLimit.Should().BeTrue();
        app.LimitValue.Should().Be(2);
        app.Methods.Should().BeNull();
        app.Timeout.Should().Be(AppConfig.DefaultTimeoutSeconds);
        app.Mocks.Should().BeEmpty();
        app.Endpoints.Should().Equal(
            new EndpointConfig { Host = "auth.test.com", Path = "", Port = 9050, Scheme = "http" },
            new EndpointConfig { Host = "auth.test.com", Path = "", Port = 9051, Scheme = "http" });
        app.Endpoints.Select(e => e.Key).Should().Equal("http://auth.test.com:9050", "http://auth.test.com:9051");
    }

    [Fact]
    public void Parse_SampleHello_LoadsItsMocks()
    {
        var path = Path.Combine(RepoRoot.Path, "conf", "hello.json");

        var result = AppConfigParser.Parse("hello.json", File.ReadAllBytes(path), Path.GetDirectoryName(path)!);

        result.Errors.Should().BeEmpty();
        var app = result.Config!;
        app.Name.Should().Be("hello");
        app.Description.Should().Be("A mock-only sample app: answers without any backend running.");
        app.Methods.Should().Equal("GET", "HEAD", "POST");
        app.Endpoints.Should().BeEmpty();
        app.Authorize.Should().BeFalse();
        app.RateLimit.Should().BeFalse();
        app.Mocks.Should().HaveCount(3);

        var root = app.Mocks[0];
        root.Method.Should().Be("GET");
        root.Path.Should().Be("/");
        root.Status.Should().Be(200);
        root.DefaultContentType.Should().Be("application/json");
        Encoding.UTF8.GetString(root.Content.Span).Should().Be("""{ "message": "Hello from Valet", "app": "hello" }""");

        var users = app.Mocks[1];
        users.Path.Should().Be("/users/*");
        users.Headers.Should().Equal(new Dictionary<string, string> { ["Cache-Control"] = "no-cache" });
        users.DefaultContentType.Should().Be("application/json");

        var echo = app.Mocks[2];
        echo.Method.Should().Be("POST");
        echo.Path.Should().Be("/echo");
        echo.Status.Should().Be(201);
        echo.Body.Should().Be("created\n");
        echo.DefaultContentType.Should().Be("text/plain; charset=utf-8");
        Encoding.UTF8.GetString(echo.Content.Span).Should().Be("created\n");
    }

    [Fact]
    public void Parse_AllFieldsValid_MapsEveryField()
    {
        var result = Parse(
            """
            {
              "$schema": "./app.schema.json",
              "name": "orders_v2",
              "description": "orders",
              "authorize": true,
              "authKey": "k",
              "authHeader": "X-Key",
              "rateLimit": true,
              "limitValue": 10,
              "methods": ["get", "Post"],
              "timeout": 2.5,
              "endpoints": [
                { "host": "10.0.0.1", "port": 443, "scheme": "https", "path": "/base/" },
                { "host": "[::1]", "port": 8080 }
              ]
            }
            """);

        result.Errors.Should().BeEmpty();
        var app = result.Config!;
        app.Name.Should().Be("orders_v2");
        app.AuthHeader.Should().Be("X-Key");
        app.LimitValue.Should().Be(10);
        app.Methods.Should().Equal("GET", "POST");
        app.Timeout.Should().Be(2.5);
        app.Endpoints.Should().Equal(
            new EndpointConfig { Host = "10.0.0.1", Port = 443, Scheme = "https", Path = "/base" },
            new EndpointConfig { Host = "[::1]", Port = 8080, Scheme = "http", Path = "" });
    }

    [Fact]
    public void Parse_Utf8Bom_IsIgnored()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("""{ "name": "api1", "endpoints": [ { "host": "a", "port": 1 } ] }""")).ToArray();

        var result = AppConfigParser.Parse("app.json", bytes, "/nonexistent");

        result.Errors.Should().BeEmpty();
        result.Config!.Name.Should().Be("api1");
    }

    [Fact]
    public void Parse_NullOptionalFields_TreatedAsAbsent()
    {
        var result = Parse("""{ "name": "api1", "description": null, "methods": null, "endpoints": [ { "host": "a", "port": 1, "scheme": null } ] }""");

        result.Errors.Should().BeEmpty();
        result.Config!.Description.Should().Be("");
        result.Config.Methods.Should().BeNull();
        result.Config.Endpoints[0].Scheme.Should().Be("http");
    }

    [Fact]
    public void Parse_MockBodyFile_ReadsRelativeToBaseDirectory()
    {
        using var folder = new TempFolder();
        folder.Write("bodies/users.json", """[{"id":1}]""");

        var result = Parse("""{ "name": "api1", "mocks": [ { "path": "/users", "bodyFile": "bodies/users.json" } ] }""", folder.Path);

        result.Errors.Should().BeEmpty();
        var mock = result.Config!.Mocks.Single();
        mock.BodyFile.Should().Be("bodies/users.json");
        mock.DefaultContentType.Should().Be("application/json");
        Encoding.UTF8.GetString(mock.Content.Span).Should().Be("""[{"id":1}]""");
    }

    [Fact]
    public void Parse_NameOf63Characters_IsAcceptedAnd64IsNot()
    {
        var ok = Parse($$"""{ "name": "{{new string('a', 63)}}", "endpoints": [ { "host": "a", "port": 1 } ] }""");
        var tooLong = Parse($$"""{ "name": "{{new string('a', 64)}}", "endpoints": [ { "host": "a", "port": 1 } ] }""");

        ok.Errors.Should().BeEmpty();
        tooLong.Errors.Should().ContainSingle().Which.Path.Should().Be("$.name");
    }

    [Fact]
    public void ConfigError_ToString_UsesCompilerFormat()
    {
        new ConfigError("app.json", 3, 14, "$.timeout", "bad").ToString().Should().Be("app.json:3:14: $.timeout: bad");
    }
}
