using Valet.Core.Routing;

namespace Valet.Core.Tests.Routing;

public sealed class RequestTargetTests
{
    [Theory]
    [InlineData("/api1", "api1", "", "/", "")]
    [InlineData("/api1/", "api1", "/", "/", "")]
    [InlineData("/api1?x=1", "api1", "", "/", "?x=1")]
    [InlineData("/api1/users/42", "api1", "/users/42", "/users/42", "")]
    [InlineData("/api1/a%20b?x=1", "api1", "/a%20b", "/a%20b", "?x=1")]
    [InlineData("/api1/a%2Fb?q=%2F&r=/x", "api1", "/a%2Fb", "/a%2Fb", "?q=%2F&r=/x")]
    [InlineData("/api1/x?", "api1", "/x", "/x", "?")]
    [InlineData("/api1/x?a=../b", "api1", "/x", "/x", "?a=../b")]
    [InlineData("/a/b//c", "a", "/b//c", "/b//c", "")]
    public void Parse_AppTarget_SplitsAppPathAndQueryKeepingEncoding(string raw, string app, string path, string pathOrRoot, string query)
    {
        var kind = RequestTarget.Parse(raw, out var target);

        kind.Should().Be(TargetKind.App);
        target.Raw.Should().BeSameAs(raw);
        target.AppSegment.ToString().Should().Be(app);
        target.Path.ToString().Should().Be(path);
        target.PathOrRoot.ToString().Should().Be(pathOrRoot);
        target.Query.ToString().Should().Be(query);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("//x")]
    [InlineData("//")]
    [InlineData("/?x=1")]
    [InlineData("")]
    [InlineData("*")]
    [InlineData("http://example.com/api1")]
    public void Parse_NoAppSegment_ReturnsNoApp(string raw)
    {
        RequestTarget.Parse(raw, out _).Should().Be(TargetKind.NoApp);
    }

    [Theory]
    [InlineData("/app/../x")]
    [InlineData("/app/..")]
    [InlineData("/app/./x")]
    [InlineData("/app/x/.")]
    [InlineData("/app/%2e%2e/x")]
    [InlineData("/app/%2E%2E/x")]
    [InlineData("/app/.%2E/x")]
    [InlineData("/app/%2e./x")]
    [InlineData("/app/%2e/x")]
    [InlineData("/app/a/..%2Fb")]
    [InlineData("/app/a/..%2fb")]
    [InlineData("/app/..%5cx")]
    [InlineData("/app/..\\x")]
    [InlineData("/app/a\\..\\x")]
    [InlineData("/app/x/%2e%2e?y=1")]
    public void Parse_DotSegments_ReturnsEscapes(string raw)
    {
        RequestTarget.Parse(raw, out _).Should().Be(TargetKind.Escapes);
    }

    [Theory]
    [InlineData("/app/a..b")]
    [InlineData("/app/...")]
    [InlineData("/app/..a")]
    [InlineData("/app/a.")]
    [InlineData("/app/a%2Fb")]
    [InlineData("/app/.well-known/x")]
    [InlineData("/app/%252e%252e/x")]
    [InlineData("/app/%2")]
    [InlineData("/app/x%")]
    [InlineData("/app/%zz")]
    [InlineData("/app/x?p=/../y")]
    public void Parse_NoDotSegment_ReturnsApp(string raw)
    {
        RequestTarget.Parse(raw, out _).Should().Be(TargetKind.App);
    }

    [Fact]
    public void Parse_LongPathWithDotSegment_ReturnsEscapes()
    {
        var raw = "/app/" + new string('a', 2000) + "/%2e%2e/x";

        RequestTarget.Parse(raw, out _).Should().Be(TargetKind.Escapes);
    }

    [Fact]
    public void Parse_Escapes_StillSplitsTheTarget()
    {
        RequestTarget.Parse("/app/../x?q", out var target).Should().Be(TargetKind.Escapes);

        target.AppSegment.ToString().Should().Be("app");
        target.Path.ToString().Should().Be("/../x");
        target.Query.ToString().Should().Be("?q");
    }
}
