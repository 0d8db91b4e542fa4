using Valet.Core.Configuration;
using Valet.Core.Tests.TestSupport;

namespace Valet.Core.Tests.Configuration;

/// <summary>
/// One row per way an app file can be wrong. Each case is written to a fresh conf folder and loaded
/// the way the daemon loads it (<see cref="AppDirectoryLoader.Load"/>), and the errors must be exactly
/// the expected ones: file, line, column, JSON path and message.
/// </summary>
public sealed class InvalidAppFileTests
{
    private const string File = "app.json";

    private const string AppFields =
        "$schema, name, description, authorize, authKey, authHeader, rateLimit, limitValue, endpoints, methods, timeout, mocks, " +
        "keys, limitPeriod, limitBy, cors, maxBodyBytes, stripResponseHeaders, stripRequestHeaders, aggregate, loadBalancing, forwardHeaders, auth, hosts, routes, tls, https, partitionPolicy, grpcServices, webSocketIdleTimeout";

    private const string NoEndpointsOrMocks =
        "the app has no endpoints and no mocks; add at least one endpoint { \"host\", \"port\" } or one mock";

    private const string NameRule =
        "use 1 to 63 lower-case letters, digits, '-' or '_', starting with a letter or digit (it is the first path segment: /{name}/...)";

    /// <summary>The expected errors of one case; <c>{dir}</c> in a message stands for the conf folder's full path.</summary>
    public sealed record Case(IReadOnlyList<(string Name, string Json)> Files, IReadOnlyList<ConfigError> Errors, bool MessagePrefixOnly = false);

    private static Case One(string json, params ConfigError[] errors) => new([(File, json)], errors);

    private static ConfigError E(int line, int column, string path, string message) => new(File, line, column, path, message);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["truncated mid-string (half-written file)"] = One(
            """
            {
              "name": "api1",
              "endpoints": [
                { "host": "a.example", "po
            """,
            E(4, 31, "$", "invalid JSON: Expected end of string, but instead reached end of data.")),

        ["truncated after a line (half-written file)"] = One(
            "{\n  \"name\": \"api1\",\n  \"endpoints\": [\n    { \"host\": \"a.example\", \"port\": 8080 }\n",
            E(5, 1, "$", "invalid JSON: Expected depth to be zero at the end of the JSON payload. There is an open JSON object or array that should be closed.")),

        ["trailing comma"] = One(
            """
            {
              "name": "api1",
            }
            """,
            E(3, 1, "$", "invalid JSON: The JSON object contains a trailing comma at the end which is not supported in this mode. Change the reader options.")),

        ["empty file"] = One(
            "",
            E(1, 1, "$", "the file is empty (was it still being written?); an app file is one JSON object")),

        ["whitespace and BOM only"] = One(
            "\uFEFF  \r\n\t\n",
            E(1, 1, "$", "the file is empty (was it still being written?); an app file is one JSON object")),

        ["root is an array"] = One(
            """
            [
              { "name": "api1" }
            ]
            """,
            E(1, 1, "$", "an app must be a JSON object, not an array")),

        ["root is a string"] = One(
            "\"api1\"",
            E(1, 1, "$", "an app must be a JSON object, not the string \"api1\"")),

        ["unknown field"] = One(
            """
            {
              "name": "api1",
              "retries": 3,
              "endpoints": [ { "host": "a.example", "port": 8080 } ]
            }
            """,
            E(3, 3, "$.retries", $"unknown field 'retries'; the fields of an app are: {AppFields}")),

        ["field name in the wrong case"] = One(
            """
            {
              "Name": "api1",
              "endpoints": [ { "host": "a.example", "port": 8080 } ]
            }
            """,
            E(2, 3, "$.Name", "unknown field 'Name'; did you mean 'name'? (field names are case-sensitive)"),
            E(1, 1, "$", "missing required field 'name' (a string)")),

        ["endpoint field in the wrong case"] = One(
            """
            {
              "name": "api1",
              "endpoints": [
                {
                  "host": "a.example",
                  "Port": 8080
                }
              ]
            }
            """,
            E(6, 7, "$.endpoints[0].Port", "unknown field 'Port'; did you mean 'port'? (field names are case-sensitive)"),
            E(4, 5, "$.endpoints[0]", "missing required field 'port' (a whole number from 1 to 65535)")),

        ["port is a string"] = One(
            """
            {
              "name": "api1",
              "endpoints": [
                {
                  "host": "a.example",
                  "port": "8080"
                }
              ]
            }
            """,
            E(6, 15, "$.endpoints[0].port", "'port' must be a whole number from 1 to 65535, not the string \"8080\"")),

        ["missing name"] = One(
            """
            {
              "description": "no name",
              "endpoints": [ { "host": "a.example", "port": 8080 } ]
            }
            """,
            E(1, 1, "$", "missing required field 'name' (a string)")),

        ["name is a number"] = One(
            """
            {
              "name": 42,
              "endpoints": [ { "host": "a.example", "port": 8080 } ]
            }
            """,
            E(2, 11, "$.name", "'name' must be a string, not the number 42")),

        ["name in upper case"] = One(
            """
            {
              "name": "MyApp",
              "endpoints": [ { "host": "a.example", "port": 8080 } ]
            }
            """,
            E(2, 11, "$.name", $"'name' is \"MyApp\"; {NameRule}")),

        ["name with a slash"] = One(
            """
            {
              "name": "api/v1",
              "endpoints": [ { "host": "a.example", "port": 8080 } ]
            }
            """,
            E(2, 11, "$.name", $"'name' is \"api/v1\"; {NameRule}")),

        ["port 0"] = One(
            """
            {
              "name": "api1",
              "endpoints": [
                {
                  "host": "a.example",
                  "port": 0
                }
              ]
            }
            """,
            E(6, 15, "$.endpoints[0].port", "'port' is 0; it must be from 1 to 65535")),

        ["port 70000"] = One(
            """
            {
              "name": "api1",
              "endpoints": [
                {
                  "host": "a.example",
                  "port": 70000
                }
              ]
            }
            """,
            E(6, 15, "$.endpoints[0].port", "'port' is 70000; it must be from 1 to 65535")),

        ["empty endpoints and no mocks"] = One(
            """
            {
              "name": "api1",
              "endpoints": []
            }
            """,
            E(3, 16, "$.endpoints", NoEndpointsOrMocks)),

        ["neither endpoints nor mocks"] = One(
            """
            {
              "name": "api1"
            }
            """,
            E(1, 1, "$", NoEndpointsOrMocks)),

        ["endpoints is an object"] = One(
            """
            {
              "name": "api1",
              "endpoints": { "host": "a.example", "port": 8080 }
            }
            """,
            E(3, 16, "$.endpoints", "'endpoints' must be a JSON array, not an object")),

        ["bad scheme"] = One(
            """
            {
              "name": "api1",
              "endpoints": [
                {
                  "host": "a.example",
                  "port": 8080,
                  "scheme": "ftp"
                }
              ]
            }
            """,
            E(7, 17, "$.endpoints[0].scheme", "'scheme' is \"ftp\"; use \"http\" or \"https\"")),

        ["duplicate app name across two files"] = new(
            [
                ("a.json", """{ "name": "api1", "endpoints": [ { "host": "a.example", "port": 8080 } ] }"""),
                ("b.json", """{ "name": "api1", "endpoints": [ { "host": "b.example", "port": 8080 } ] }"""),
            ],
            [new ConfigError("b.json", 0, 0, "$.name", "app name \"api1\" is already used by a.json; app names must be unique across files")]),

        ["authorize without authKey"] = One(
            """
            {
              "name": "api1",
              "authorize": true,
              "endpoints": [ { "host": "a.example", "port": 8080 } ]
            }
            """,
            E(3, 16, "$.authorize", "'authorize' is true but there is no key: set 'authKey' or list consumers in 'keys'")),

        ["authorize with an empty authKey"] = One(
            """
            {
              "name": "api1",
              "authorize": true,
              "authKey": "",
              "endpoints": [ { "host": "a.example", "port": 8080 } ]
            }
            """,
            E(4, 14, "$.authKey", "'authKey' must be non-empty, without surrounding spaces")),

        ["authHeader not a header name"] = One(
            """
            {
              "name": "api1",
              "authHeader": "X Auth",
              "endpoints": [ { "host": "a.example", "port": 8080 } ]
            }
            """,
            E(3, 17, "$.authHeader", "'authHeader' is \"X Auth\", which is not a valid HTTP header name")),

        ["rateLimit without limitValue"] = One(
            """
            {
              "name": "api1",
              "rateLimit": true,
              "endpoints": [ { "host": "a.example", "port": 8080 } ]
            }
            """,
            E(3, 16, "$.rateLimit", "'rateLimit' is true but 'limitValue' is missing; set the number of requests allowed per window")),

        ["limitValue 0"] = One(
            """
            {
              "name": "api1",
              "rateLimit": true,
              "limitValue": 0,
              "endpoints": [ { "host": "a.example", "port": 8080 } ]
            }
            """,
            E(4, 17, "$.limitValue", "'limitValue' is 0; it must be from 1 to 2147483647")),

        ["host with a scheme"] = One(
            """
            {
              "name": "api1",
              "endpoints": [
                {
                  "host": "http://a.example",
                  "port": 8080
                }
              ]
            }
            """,
            E(5, 15, "$.endpoints[0].host", "'host' is \"http://a.example\"; give a host name or IP address only (no scheme, port or path)")),

        ["host with a path"] = One(
            """
            {
              "name": "api1",
              "endpoints": [
                {
                  "host": "a.example/api",
                  "port": 8080
                }
              ]
            }
            """,
            E(5, 15, "$.endpoints[0].host", "'host' is \"a.example/api\"; give a host name or IP address only (no scheme, port or path)")),

        ["endpoint path without a leading slash"] = One(
            """
            {
              "name": "api1",
              "endpoints": [
                {
                  "host": "a.example",
                  "path": "api",
                  "port": 8080
                }
              ]
            }
            """,
            E(6, 15, "$.endpoints[0].path", "'path' is \"api\"; it must be empty or start with '/', without '?', '#' or spaces")),

        ["method not a method name"] = One(
            """
            {
              "name": "api1",
              "methods": ["GET", 5],
              "endpoints": [ { "host": "a.example", "port": 8080 } ]
            }
            """,
            E(3, 22, "$.methods[1]", "a method must be an HTTP method name such as \"GET\", not the number 5")),

        ["method listed twice"] = One(
            """
            {
              "name": "api1",
              "methods": ["GET", "get"],
              "endpoints": [ { "host": "a.example", "port": 8080 } ]
            }
            """,
            E(3, 22, "$.methods[1]", "method \"GET\" is listed twice")),

        ["methods empty"] = One(
            """
            {
              "name": "api1",
              "methods": [],
              "endpoints": [ { "host": "a.example", "port": 8080 } ]
            }
            """,
            E(3, 14, "$.methods", "'methods' is empty, so every request would get 405; list the allowed methods or remove the field to allow all")),

        ["timeout 0"] = One(
            """
            {
              "name": "api1",
              "timeout": 0,
              "endpoints": [ { "host": "a.example", "port": 8080 } ]
            }
            """,
            E(3, 14, "$.timeout", "'timeout' is 0; it must be more than 0 and at most 3600")),

        ["timeout negative"] = One(
            """
            {
              "name": "api1",
              "timeout": -1.5,
              "endpoints": [ { "host": "a.example", "port": 8080 } ]
            }
            """,
            E(3, 14, "$.timeout", "'timeout' is -1.5; it must be more than 0 and at most 3600")),

        ["mock path without a leading slash"] = One(
            """
            {
              "name": "api1",
              "mocks": [
                {
                  "path": "users",
                  "body": "x"
                }
              ]
            }
            """,
            E(5, 15, "$.mocks[0].path", "'path' is \"users\"; it must start with '/' and may end with '*' to match a prefix")),

        ["mock path with a star in the middle"] = One(
            """
            {
              "name": "api1",
              "mocks": [
                {
                  "path": "/users/*/orders",
                  "body": "x"
                }
              ]
            }
            """,
            E(5, 15, "$.mocks[0].path", "'path' is \"/users/*/orders\"; it must start with '/' and may end with '*' to match a prefix")),

        ["mock status 600"] = One(
            """
            {
              "name": "api1",
              "mocks": [
                {
                  "path": "/users",
                  "status": 600
                }
              ]
            }
            """,
            E(6, 17, "$.mocks[0].status", "'status' is 600; it must be from 200 to 599")),

        ["mock status 99"] = One(
            """
            {
              "name": "api1",
              "mocks": [
                {
                  "path": "/users",
                  "status": 99
                }
              ]
            }
            """,
            E(6, 17, "$.mocks[0].status", "'status' is 99; it must be from 200 to 599")),

        ["mock with body and bodyFile"] = One(
            """
            {
              "name": "api1",
              "mocks": [
                {
                  "path": "/users",
                  "body": "x",
                  "bodyFile": "users.json"
                }
              ]
            }
            """,
            E(7, 19, "$.mocks[0].bodyFile", "a mock has either 'body' or 'bodyFile', not both")),

        ["mock bodyFile missing"] = One(
            """
            {
              "name": "api1",
              "mocks": [
                {
                  "path": "/users",
                  "bodyFile": "missing.json"
                }
              ]
            }
            """,
            E(6, 19, "$.mocks[0].bodyFile", "cannot read 'bodyFile' \"missing.json\" (resolved to {dir}/missing.json): ")) with { MessagePrefixOnly = true },

        ["mock header with a line break"] = One(
            """
            {
              "name": "api1",
              "mocks": [
                {
                  "path": "/users",
                  "headers": { "X-A": "1\r\nX-B: 2" }
                }
              ]
            }
            """,
            E(6, 27, "$.mocks[0].headers.X-A", "header \"X-A\" must be a string of printable ASCII (no line breaks, control or non-ASCII characters), not the string \"1\r\nX-B: 2\"")),

        ["duplicate property at the top"] = One(
            """
            {
              "name": "api1",
              "name": "api2",
              "endpoints": [ { "host": "a.example", "port": 8080 } ]
            }
            """,
            E(3, 3, "$.name", "duplicate field 'name' (first given on line 2); remove one of them")),

        ["duplicate property in an endpoint"] = One(
            """
            {
              "name": "api1",
              "endpoints": [
                {
                  "host": "a.example",
                  "port": 8080,
                  "port": 8081
                }
              ]
            }
            """,
            E(7, 7, "$.endpoints[0].port", "duplicate field 'port' (first given on line 6); remove one of them")),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Load_InvalidAppFile_ReportsExactErrors(string caseName)
    {
        var @case = Cases[caseName];
        using var folder = new TempFolder();
        foreach (var (name, json) in @case.Files) folder.Write(name, json);

        var load = AppDirectoryLoader.Load(folder.Path);

        load.FolderErrors.Should().BeEmpty();
        load.Succeeded.Should().BeFalse();
        var expected = @case.Errors.Select(e => e with { Message = e.Message.Replace("{dir}", folder.Path) }).ToList();
        var actual = load.AllErrors.ToList();
        if (@case.MessagePrefixOnly)
        {
            actual.Select(e => e with { Message = "" }).Should().Equal(expected.Select(e => e with { Message = "" }));
            for (var i = 0; i < expected.Count; i++) actual[i].Message.Should().StartWith(expected[i].Message);
        }
        else
        {
            actual.Should().Equal(expected);
        }

        var failedFiles = expected.Select(e => e.File).ToHashSet();
        load.Files.Where(f => failedFiles.Contains(f.FileName)).Should().OnlyContain(f => f.Config == null);
    }
}
