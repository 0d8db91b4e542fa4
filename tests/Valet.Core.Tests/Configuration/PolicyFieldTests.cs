using System.Text;
using Valet.Core.Configuration;

namespace Valet.Core.Tests.Configuration;

public sealed class PolicyFieldTests
{
    private static AppParseResult Parse(string json) => AppConfigParser.Parse("p.json", Encoding.UTF8.GetBytes(json), Path.GetTempPath());

    private const string Endpoints = "\"endpoints\": [ { \"host\": \"a.example\", \"port\": 80 } ]";

    [Fact]
    public void Parse_AllPolicyFields_Mapped()
    {
        var result = Parse($$"""
            { "name": "p", {{Endpoints}}, "authorize": true,
              "keys": [ { "id": "alice", "key": "ka", "limitValue": 9 }, { "id": "bob", "key": "sha256:{{new string('a', 64)}}" } ],
              "rateLimit": true, "limitValue": 5, "limitPeriod": 10, "limitBy": "consumer",
              "cors": { "origins": ["https://web.example"], "methods": ["get"], "headers": ["Content-Type"], "exposeHeaders": ["X-Total"], "credentials": true, "maxAge": 30 },
              "maxBodyBytes": 1024, "stripResponseHeaders": ["Server", "X-Internal-*"], "stripRequestHeaders": ["Cookie"] }
            """);

        result.Errors.Should().BeEmpty();
        var app = result.Config!;
        app.Keys.Select(k => (k.Id, k.LimitValue, k.IsHashed)).Should().Equal(("alice", 9L, false), ("bob", null, true));
        (app.LimitPeriod, app.LimitBy, app.MaxBodyBytes).Should().Be((10, LimitBy.Consumer, 1024L));
        app.Cors!.Methods.Should().Equal("GET");
        (app.Cors.Credentials, app.Cors.MaxAge).Should().Be((true, 30));
        app.StripResponseHeaders.Should().Equal("Server", "X-Internal-*");
        app.StripRequestHeaders.Should().Equal("Cookie");
    }

    [Theory]
    [InlineData("\"authorize\": true, \"keys\": [ { \"id\": \"a\", \"key\": \"sha256:abc\" } ]", "$.keys[0].key", "a hashed key is 'sha256:' followed by 64 hex digits, as printed by 'valet hash-key'")]
    [InlineData("\"authorize\": true, \"keys\": [ { \"id\": \"a b\", \"key\": \"k\" } ]", "$.keys[0].id", "consumer 'id' is \"a b\"; use 1 to 64 letters, digits, '.', '_', '@' or '-'")]
    [InlineData("\"authorize\": true, \"keys\": [ { \"id\": \"a\", \"key\": \"k\" }, { \"id\": \"a\", \"key\": \"j\" } ]", "$.keys[1].id", "consumer id \"a\" is used twice")]
    [InlineData("\"authorize\": true, \"keys\": [ { \"id\": \"a\", \"key\": \"k\" }, { \"id\": \"b\", \"key\": \"k\" } ]", "$.keys[1].key", "this key is already given to another consumer (or is the 'authKey'); keys must identify one consumer")]
    [InlineData("\"authorize\": true, \"keys\": [ { \"id\": \"default\", \"key\": \"k\" } ]", "$.keys[0].id", "consumer id \"default\" is reserved for 'authKey'; choose another")]
    [InlineData("\"keys\": [ { \"id\": \"a\", \"key\": \"k\" } ]", "$.keys", "'keys' are only checked when 'authorize' is true; set \"authorize\": true or remove 'keys'")]
    [InlineData("\"rateLimit\": true, \"limitValue\": 1, \"limitBy\": \"user\"", "$.limitBy", "'limitBy' is \"user\"; use \"app\" (one budget), \"consumer\" or \"ip\"")]
    [InlineData("\"rateLimit\": true, \"limitValue\": 1, \"limitBy\": \"consumer\"", "$.limitBy", "'limitBy' is \"consumer\" but 'authorize' is false, so requests have no consumer; set \"authorize\": true")]
    [InlineData("\"authorize\": true, \"keys\": [ { \"id\": \"a\", \"key\": \"k\", \"limitValue\": 3 } ]", "$.keys[0].limitValue", "a consumer's 'limitValue' applies only with \"rateLimit\": true and \"limitBy\": \"consumer\"")]
    [InlineData("\"limitPeriod\": 0", "$.limitPeriod", "'limitPeriod' is 0; it must be from 1 to 86400")]
    [InlineData("\"maxBodyBytes\": -1", "$.maxBodyBytes", "'maxBodyBytes' is -1; it must be from 0 to 9223372036854775807")]
    [InlineData("\"cors\": { \"origins\": [] }", "$.cors", "'cors.origins' must list at least one origin (e.g. \"https://app.example\") or \"*\"")]
    [InlineData("\"cors\": { \"origins\": [\"https://web.example/app\"] }", "$.cors.origins[0]", "\"https://web.example/app\" is not an origin; write scheme://host[:port] with no path, or \"*\"")]
    [InlineData("\"cors\": { \"origins\": [\"*\"], \"allowAll\": true }", "$.cors.allowAll", "unknown field 'allowAll'; the fields of 'cors' are: origins, methods, headers, exposeHeaders, credentials, maxAge")]
    [InlineData("\"stripResponseHeaders\": [\"X Bad\"]", "$.stripResponseHeaders[0]", "\"X Bad\" is not a header name, or a prefix ending with '*' (e.g. \"X-Internal-*\")")]
    [InlineData("\"stripRequestHeaders\": [\"*\"]", "$.stripRequestHeaders[0]", "\"*\" is not a header name, or a prefix ending with '*' (e.g. \"X-Internal-*\")")]
    [InlineData("\"mocks\": [ { \"path\": \"/x\", \"bodyFile\": \"../../etc/passwd\" } ]", "$.mocks[0].bodyFile", "'bodyFile' \"../../etc/passwd\" must be a relative path inside the conf folder")]
    [InlineData("\"mocks\": [ { \"path\": \"/x\", \"bodyFile\": \"/etc/passwd\" } ]", "$.mocks[0].bodyFile", "'bodyFile' \"/etc/passwd\" must be a relative path inside the conf folder")]
    public void Parse_InvalidPolicyField_ReportsPathAndMessage(string fields, string path, string message)
    {
        var result = Parse($"{{ \"name\": \"p\", {Endpoints}, {fields} }}");

        result.Errors.Select(e => (e.Path, e.Message)).Should().ContainSingle().Which.Should().Be((path, message));
    }
}
