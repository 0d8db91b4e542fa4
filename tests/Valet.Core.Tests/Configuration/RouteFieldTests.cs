using System.Text;
using Valet.Core.Configuration;

namespace Valet.Core.Tests.Configuration;

public sealed class RouteFieldTests
{
    private static AppParseResult Parse(string routes) =>
        AppConfigParser.Parse("p.json", Encoding.UTF8.GetBytes($"{{ \"name\": \"p\", \"routes\": [ {routes} ] }}"), Path.GetTempPath());

    [Fact]
    public void Parse_TargetRoute_BecomesOneEndpoint()
    {
        var result = Parse("{ \"id\": \"get-user\", \"path\": \"/users/\", \"methods\": [\"get\"], \"target\": \"https://fn.example/api/get-user\" }");

        result.Errors.Should().BeEmpty();
        var route = result.Config!.Routes.Single();
        (route.Path, route.Methods!.Single()).Should().Be(("/users", "GET"));
        route.Endpoints.Single().Should().Be(new EndpointConfig { Scheme = "https", Host = "fn.example", Port = 443, Path = "/api/get-user" });
    }

    [Theory]
    [InlineData("{ \"id\": \"a\", \"path\": \"/x\", \"target\": \"http://h.example\" }, { \"id\": \"b\", \"path\": \"/x/\", \"target\": \"http://h.example\" }",
        "$.routes[1]", "route \"b\" overlaps route \"a\": both serve every method on /x; give them different paths or methods")]
    [InlineData("{ \"id\": \"a\", \"path\": \"/x\", \"methods\": [\"GET\", \"POST\"], \"target\": \"http://h.example\" }, { \"id\": \"b\", \"path\": \"/x\", \"methods\": [\"post\"], \"target\": \"http://h.example\" }",
        "$.routes[1]", "route \"b\" overlaps route \"a\": both serve POST /x; give them different paths or methods")]
    [InlineData("{ \"id\": \"a\", \"path\": \"/x\", \"target\": \"http://h.example\" }, { \"id\": \"a\", \"path\": \"/y\", \"target\": \"http://h.example\" }",
        "$.routes[1].id", "route id \"a\" is used twice")]
    [InlineData("{ \"id\": \"a\", \"path\": \"x\", \"target\": \"http://h.example\" }",
        "$.routes[0].path", "route 'path' is \"x\"; it must start with '/', without '?', '#', '*', spaces or dot-segments (it matches a prefix: \"/users\" serves /users and /users/...)")]
    [InlineData("{ \"id\": \"a\", \"path\": \"/x\" }",
        "$.routes[0]", "a route has either 'endpoints' (a list, like the app's) or 'target' (one URL), exactly one of them")]
    [InlineData("{ \"id\": \"a\", \"path\": \"/x\", \"target\": \"ftp://h.example/f\" }",
        "$.routes[0].target", "'target' is \"ftp://h.example/f\"; give an http:// or https:// URL without query or credentials, e.g. \"https://fn.example/get-user\"")]
    [InlineData("{ \"id\": \"a\", \"path\": \"/x\", \"endpoints\": [ { \"host\": \"h.example\" } ] }",
        "$.routes[0].endpoints[0]", "missing required field 'port' (a whole number from 1 to 65535)")]
    public void Parse_InvalidRoute_ReportsPathAndMessage(string routes, string path, string message)
    {
        var result = Parse(routes);

        result.Errors.Select(e => (e.Path, e.Message)).Should().ContainSingle().Which.Should().Be((path, message));
    }

    [Fact]
    public void Parse_SamePathDisjointMethods_Valid()
    {
        Parse("{ \"id\": \"a\", \"path\": \"/x\", \"methods\": [\"GET\"], \"target\": \"http://h.example\" }, { \"id\": \"b\", \"path\": \"/x\", \"methods\": [\"POST\"], \"target\": \"http://h.example\" }, { \"id\": \"c\", \"path\": \"/x/y\", \"target\": \"http://h.example\" }, { \"id\": \"d\", \"path\": \"/x\", \"target\": \"http://h.example\" }")
            .Errors.Should().BeEmpty();
    }
}
