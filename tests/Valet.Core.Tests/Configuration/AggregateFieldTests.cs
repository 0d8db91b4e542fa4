using System.Text;
using Valet.Core.Configuration;

namespace Valet.Core.Tests.Configuration;

public sealed class AggregateFieldTests
{
    private static AppParseResult Parse(string json) => AppConfigParser.Parse("agg.json", Encoding.UTF8.GetBytes(json), Path.GetTempPath());

    private const string OnePart = "\"aggregate\": { \"parts\": [ { \"key\": \"a\", \"app\": \"api\", \"path\": \"/\" } ] }";

    private const string Endpoints = "\"endpoints\": [ { \"host\": \"a.example\", \"port\": 80 } ]";

    [Fact]
    public void Parse_Aggregate_AllFieldsMapped()
    {
        var result = Parse("""
            { "name": "dash", "aggregate": {
                "parts": [
                  { "key": "users", "app": "users", "path": "/users/*", "method": "post", "required": false, "timeout": 1.5 },
                  { "key": "orders", "app": "orders", "path": "/orders" } ],
                "timeout": 4, "includeMeta": true },
              "forwardHeaders": ["Accept", "X-Tenant"] }
            """);

        result.Errors.Should().BeEmpty();
        var app = result.Config!;
        app.Endpoints.Should().BeEmpty();
        app.ForwardHeaders.Should().Equal("Accept", "X-Tenant");
        app.Aggregate!.Timeout.Should().Be(4);
        app.Aggregate.IncludeMeta.Should().BeTrue();
        app.Aggregate.Parts.Should().Equal(
            new AggregatePartConfig { Key = "users", App = "users", Path = "/users/*", Method = "POST", Required = false, Timeout = 1.5 },
            new AggregatePartConfig { Key = "orders", App = "orders", Path = "/orders" });
    }

    [Fact]
    public void Parse_AggregateDefaults_RequiredPartsThirtySecondsDefaultHeaders()
    {
        var result = Parse($"{{ \"name\": \"dash\", {OnePart} }}");

        result.Errors.Should().BeEmpty();
        var app = result.Config!;
        app.ForwardHeaders.Should().Equal("Accept", "Accept-Language", "Authorization", "X-Request-Id");
        (app.Aggregate!.Timeout, app.Aggregate.IncludeMeta).Should().Be((30, false));
        app.Aggregate.Parts.Single().Should().Match<AggregatePartConfig>(p => p.Required && p.Method == null && p.Timeout == null);
    }

    [Theory]
    [InlineData("roundRobin")]
    [InlineData("leastRequests")]
    public void Parse_LoadBalancing_KnownName_Mapped(string name)
    {
        var result = Parse($"{{ \"name\": \"api\", {Endpoints}, \"loadBalancing\": \"{name}\" }}");

        result.Errors.Should().BeEmpty();
        result.Config!.LoadBalancing.Should().Be(name);
    }

    [Fact]
    public void Parse_NoLoadBalancing_RoundRobin()
    {
        Parse($"{{ \"name\": \"api\", {Endpoints} }}").Config!.LoadBalancing.Should().Be("roundRobin");
    }

    [Theory]
    [InlineData("\"loadBalancing\": \"random\", " + Endpoints, "$.loadBalancing", "'loadBalancing' is \"random\"; use \"roundRobin\", \"leastRequests\"")]
    [InlineData("\"loadBalancing\": \"LeastRequests\", " + Endpoints, "$.loadBalancing", "'loadBalancing' is \"LeastRequests\"; use \"roundRobin\", \"leastRequests\"")]
    [InlineData(OnePart + ", " + Endpoints, "$.aggregate", "an app has either 'aggregate' or 'endpoints' and 'mocks', not both: an aggregate calls other apps, which have the endpoints and mocks")]
    [InlineData(OnePart + ", \"mocks\": [ { \"path\": \"/\" } ]", "$.aggregate", "an app has either 'aggregate' or 'endpoints' and 'mocks', not both: an aggregate calls other apps, which have the endpoints and mocks")]
    [InlineData(OnePart + ", \"timeout\": 5", "$.timeout", "'timeout' is how long an endpoint may take; an aggregate's deadline is 'aggregate.timeout' (and each part's 'timeout')")]
    [InlineData(OnePart + ", \"loadBalancing\": \"roundRobin\"", "$.loadBalancing", "'loadBalancing' picks among endpoints; an aggregate has none (each part uses its app's policy)")]
    [InlineData(OnePart + ", \"stripRequestHeaders\": [\"Cookie\"]", "$.stripRequestHeaders", "'stripRequestHeaders' does not apply to an aggregate: its parts get only the 'forwardHeaders'")]
    [InlineData(OnePart + ", \"maxBodyBytes\": 67108865", "$.maxBodyBytes", "'maxBodyBytes' is 67108865; an aggregate holds the body in memory to send it to its parts, so it may be at most 67108864")]
    [InlineData("\"forwardHeaders\": [\"Accept\"], " + Endpoints, "$.forwardHeaders", "'forwardHeaders' lists what an aggregate sends to its parts; add 'aggregate' or remove it")]
    [InlineData(OnePart + ", \"forwardHeaders\": [\"X Bad\"]", "$.forwardHeaders[0]", "\"X Bad\" is not a valid HTTP header name")]
    [InlineData(OnePart + ", \"forwardHeaders\": [\"Accept\", \"accept\"]", "$.forwardHeaders[1]", "header \"accept\" is listed twice")]
    [InlineData(OnePart + ", \"forwardHeaders\": [\"X-Valet-Auth\"]", "$.forwardHeaders[0]", "\"X-Valet-Auth\" carries the aggregate's API key or is a Valet header; it is never sent to the parts")]
    [InlineData(OnePart + ", \"authorize\": true, \"authKey\": \"k\", \"authHeader\": \"X-Api-Key\", \"forwardHeaders\": [\"x-api-key\"]", "$.forwardHeaders[0]", "\"x-api-key\" carries the aggregate's API key or is a Valet header; it is never sent to the parts")]
    [InlineData(OnePart + ", \"forwardHeaders\": [\"Connection\"]", "$.forwardHeaders[0]", "\"Connection\" is hop-by-hop or set by Valet itself; remove it")]
    [InlineData(OnePart + ", \"forwardHeaders\": [\"X-Forwarded-For\"]", "$.forwardHeaders[0]", "\"X-Forwarded-For\" is hop-by-hop or set by Valet itself; remove it")]
    [InlineData(OnePart + ", \"forwardHeaders\": [\"Content-Type\"]", "$.forwardHeaders[0]", "\"Content-Type\" describes the request body and goes with it to the parts that get the body; remove it")]
    [InlineData("\"aggregate\": [ ]", "$.aggregate", "'aggregate' must be a JSON object, not an array")]
    [InlineData("\"aggregate\": { }", "$.aggregate", "missing required field 'parts' (an array of parts { \"key\", \"app\", \"path\" })")]
    [InlineData("\"aggregate\": { \"parts\": [] }", "$.aggregate.parts", "'parts' is empty; list at least one part { \"key\", \"app\", \"path\" }")]
    [InlineData("\"aggregate\": { \"parts\": [ { \"key\": \"a\", \"app\": \"api\", \"path\": \"/\" } ], \"merge\": \"deep\" }", "$.aggregate.merge", "unknown field 'merge'; the fields of 'aggregate' are: parts, timeout, includeMeta")]
    [InlineData("\"aggregate\": { \"parts\": [ { \"key\": \"a\", \"app\": \"api\", \"path\": \"/\" } ], \"timeout\": 0 }", "$.aggregate.timeout", "'timeout' is 0; it must be more than 0 and at most 3600")]
    [InlineData("\"aggregate\": { \"parts\": [ { \"key\": \"a\", \"app\": \"api\", \"path\": \"/\", \"url\": \"x\" } ] }", "$.aggregate.parts[0].url", "unknown field 'url'; the fields of a part are: key, app, path, method, required, timeout")]
    [InlineData("\"aggregate\": { \"parts\": [ { \"app\": \"api\", \"path\": \"/\" } ] }", "$.aggregate.parts[0]", "missing required field 'key' (a string)")]
    [InlineData("\"aggregate\": { \"parts\": [ { \"key\": \"_meta\", \"app\": \"api\", \"path\": \"/\" } ] }", "$.aggregate.parts[0].key", "'key' is \"_meta\"; use 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit (\"_meta\" is reserved)")]
    [InlineData("\"aggregate\": { \"parts\": [ { \"key\": \"a\", \"app\": \"api\", \"path\": \"/\" }, { \"key\": \"a\", \"app\": \"api\", \"path\": \"/x\" } ] }", "$.aggregate.parts[1].key", "part key \"a\" is used twice; each key names one member of the answer")]
    [InlineData("\"aggregate\": { \"parts\": [ { \"key\": \"a\", \"app\": \"Api\", \"path\": \"/\" } ] }", "$.aggregate.parts[0].app", "'app' is \"Api\"; give the 'name' of the app to call")]
    [InlineData("\"aggregate\": { \"parts\": [ { \"key\": \"a\", \"app\": \"dash\", \"path\": \"/\" } ] }", "$.aggregate.parts[0].app", "'app' is \"dash\", this aggregate itself; a part calls another app")]
    [InlineData("\"aggregate\": { \"parts\": [ { \"key\": \"a\", \"app\": \"api\", \"path\": \"users\" } ] }", "$.aggregate.parts[0].path", "'path' is \"users\"; it must start with '/', without '?', '#', spaces or '.'/'..' segments, and may end with '*' to add the rest of the client's path")]
    [InlineData("\"aggregate\": { \"parts\": [ { \"key\": \"a\", \"app\": \"api\", \"path\": \"/users?x=1\" } ] }", "$.aggregate.parts[0].path", "'path' is \"/users?x=1\"; it must start with '/', without '?', '#', spaces or '.'/'..' segments, and may end with '*' to add the rest of the client's path")]
    [InlineData("\"aggregate\": { \"parts\": [ { \"key\": \"a\", \"app\": \"api\", \"path\": \"/a/*/b\" } ] }", "$.aggregate.parts[0].path", "'path' is \"/a/*/b\"; it must start with '/', without '?', '#', spaces or '.'/'..' segments, and may end with '*' to add the rest of the client's path")]
    [InlineData("\"aggregate\": { \"parts\": [ { \"key\": \"a\", \"app\": \"api\", \"path\": \"/a/%2e%2e/*\" } ] }", "$.aggregate.parts[0].path", "'path' is \"/a/%2e%2e/*\"; it must start with '/', without '?', '#', spaces or '.'/'..' segments, and may end with '*' to add the rest of the client's path")]
    [InlineData("\"aggregate\": { \"parts\": [ { \"key\": \"a\", \"app\": \"api\", \"path\": \"/\", \"method\": \"G T\" } ] }", "$.aggregate.parts[0].method", "'method' is \"G T\", which is not an HTTP method name")]
    [InlineData("\"aggregate\": { \"parts\": [ { \"key\": \"a\", \"app\": \"api\", \"path\": \"/\", \"required\": \"yes\" } ] }", "$.aggregate.parts[0].required", "'required' must be true or false, not the string \"yes\"")]
    [InlineData("\"aggregate\": { \"parts\": [ { \"key\": \"a\", \"app\": \"api\", \"path\": \"/\", \"timeout\": -1 } ] }", "$.aggregate.parts[0].timeout", "'timeout' is -1; it must be more than 0 and at most 3600")]
    public void Parse_InvalidFanOutField_ReportsPathAndMessage(string fields, string path, string message)
    {
        var result = Parse($"{{ \"name\": \"dash\", {fields} }}");

        result.Errors.Select(e => (e.Path, e.Message)).Should().ContainSingle().Which.Should().Be((path, message));
    }

    [Fact]
    public void Parse_SeventeenParts_TooMany()
    {
        var parts = string.Join(", ", Enumerable.Range(0, 17).Select(i => $"{{ \"key\": \"p{i}\", \"app\": \"api\", \"path\": \"/\" }}"));

        var result = Parse($"{{ \"name\": \"dash\", \"aggregate\": {{ \"parts\": [ {parts} ] }} }}");

        result.Errors.Select(e => (e.Path, e.Message)).Should().ContainSingle()
            .Which.Should().Be(("$.aggregate.parts", "'parts' has 17 parts; an aggregate may have at most 16"));
    }

    [Fact]
    public void Parse_PartError_PlacedAtItsLineAndColumn()
    {
        var result = Parse("""
            {
              "name": "dash",
              "aggregate": {
                "parts": [
                  { "key": "a", "app": "api", "path": "nope" }
                ]
              }
            }
            """);

        result.Errors.Should().ContainSingle().Which.Should().Match<ConfigError>(e => e.Line == 5 && e.Column == 43 && e.Path == "$.aggregate.parts[0].path");
    }
}
