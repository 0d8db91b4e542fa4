using System.Text;
using Valet.Core.Aggregation;

namespace Valet.Core.Tests.Aggregation;

public sealed class JsonBodyTests
{
    [Theory]
    [InlineData("application/json", true)]
    [InlineData("application/json; charset=utf-8", true)]
    [InlineData("Application/JSON", true)]
    [InlineData("application/problem+json", true)]
    [InlineData("application/vnd.api+json; v=2", true)]
    [InlineData("text/json", true)]
    [InlineData("text/plain", false)]
    [InlineData("application/jsonx", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void IsJsonMediaType(string? contentType, bool expected)
    {
        JsonBody.IsJsonMediaType(contentType).Should().Be(expected);
    }

    [Theory]
    [InlineData("{\"a\":1}", true)]
    [InlineData(" [1, 2] \n", true)]
    [InlineData("42", true)]
    [InlineData("\"text\"", true)]
    [InlineData("null", true)]
    [InlineData("", false)]
    [InlineData("   ", false)]
    [InlineData("{\"a\":", false)]
    [InlineData("{} {}", false)]
    [InlineData("{\"a\":1} x", false)]
    [InlineData("// comment\n{}", false)]
    [InlineData("{'a':1}", false)]
    public void IsSingleValue(string body, bool expected)
    {
        JsonBody.IsSingleValue(Encoding.UTF8.GetBytes(body)).Should().Be(expected);
    }
}
