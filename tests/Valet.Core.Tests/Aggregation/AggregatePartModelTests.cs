using Valet.Core.Aggregation;
using Valet.Core.Configuration;

namespace Valet.Core.Tests.Aggregation;

public sealed class AggregatePartModelTests
{
    private static AggregatePartModel Part(string path, string? method = null) =>
        new(new AggregatePartConfig { Key = "k", App = "a", Path = path, Method = method });

    [Theory]
    [InlineData("/users", "", "/users")]
    [InlineData("/users", "/42", "/users")]
    [InlineData("/users/*", "", "/users/")]
    [InlineData("/users/*", "/", "/users/")]
    [InlineData("/users/*", "/42", "/users/42")]
    [InlineData("/users/*", "/42/orders", "/users/42/orders")]
    [InlineData("/users*", "/42", "/users/42")]
    [InlineData("/*", "/a%20b", "/a%20b")]
    public void TargetPath_AddsTheClientPathOnlyAfterAStar(string path, string clientPath, string expected)
    {
        Part(path).TargetPath(clientPath).Should().Be(expected);
    }

    [Theory]
    [InlineData(null, "GET", "GET")]
    [InlineData(null, "POST", "POST")]
    [InlineData("DELETE", "GET", "DELETE")]
    public void MethodFor_OwnMethodElseTheClients(string? own, string client, string expected)
    {
        Part("/", own).MethodFor(client).Should().Be(expected);
    }

    [Theory]
    [InlineData("GET", false)]
    [InlineData("HEAD", false)]
    [InlineData("OPTIONS", false)]
    [InlineData("TRACE", false)]
    [InlineData("POST", true)]
    [InlineData("PUT", true)]
    [InlineData("PATCH", true)]
    [InlineData("DELETE", true)]
    public void SendsBody_EveryMethodButGetHeadOptionsTrace(string method, bool expected)
    {
        AggregatePartModel.SendsBody(method).Should().Be(expected);
    }
}
