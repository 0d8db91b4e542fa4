using System.Text;
using Microsoft.Extensions.Primitives;
using Valet.Core.Forwarding.Http1;

namespace Valet.Core.Tests.Forwarding.Http1;

/// <summary>The request head writer: request line, target escaping as System.Uri does it, joined values, refused characters.</summary>
public sealed class Http1HeadWriterTests
{
    private static string Written(Http1HeadWriter writer) => Encoding.Latin1.GetString(writer.Written.Span);

    [Fact]
    public void RequestLine_HostAndHeaders_InOrder()
    {
        var writer = new Http1HeadWriter();
        writer.RequestLine("GET", "/base", "/a/b", "?x=1", "127.0.0.1:8080");
        writer.Header("X-One", "1");
        writer.Header("X-Multi", new StringValues(["a", "b"]));
        writer.Header("Cookie", new StringValues(["c=1", "d=2"]));
        writer.End();

        Written(writer).Should().Be("GET /base/a/b?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nX-One: 1\r\nX-Multi: a, b\r\nCookie: c=1; d=2\r\n\r\n");
    }

    [Fact]
    public void Reset_StartsOver()
    {
        var writer = new Http1HeadWriter();
        writer.RequestLine("GET", "", "/first", "", "h");
        writer.Reset();
        writer.RequestLine("DELETE", "", "", "", "h");

        Written(writer).Should().Be("DELETE / HTTP/1.1\r\nHost: h\r\n");
    }

    [Theory]
    [InlineData("/a%20b", "/a%20b")]
    [InlineData("/%zz", "/%25zz")]
    [InlineData("/100%", "/100%25")]
    [InlineData("/a\u007fb", "/a%7Fb")]
    [InlineData("/caf\u00e9", "/caf%C3%A9")]
    [InlineData("/\U0001F600", "/%F0%9F%98%80")]
    [InlineData("/a\\b", "/a%5Cb")]
    [InlineData("/{x}|^`\"<>", "/%7Bx%7D%7C%5E%60%22%3C%3E")]
    [InlineData("/ok-._~!$&'()*+,;=:@", "/ok-._~!$&'()*+,;=:@")]
    public void Target_EscapedWhereAUriMayNotHoldIt(string path, string expected)
    {
        var writer = new Http1HeadWriter();
        writer.RequestLine("GET", "", path, "", "h");

        Written(writer).Should().StartWith($"GET {expected} HTTP/1.1\r\n");
    }

    [Theory]
    [InlineData("a\rb")]
    [InlineData("a\nb")]
    [InlineData("a\0b")]
    [InlineData("\u0100")]
    public void Header_CharacterNoLineMayHold_Refused(string value)
    {
        var writer = new Http1HeadWriter();

        var act = () => writer.Header("X-Bad", value);

        act.Should().Throw<Http1RequestException>();
    }

    [Fact]
    public void Header_Latin1_WrittenAsOneByte()
    {
        var writer = new Http1HeadWriter();
        writer.Header("X-Caf", "caf\u00e9");

        writer.Written.ToArray().Should().Equal(Encoding.Latin1.GetBytes("X-Caf: caf\u00e9\r\n"));
    }

    [Fact]
    public void LongHead_BufferGrows()
    {
        var writer = new Http1HeadWriter();
        var value = new string('v', 10_000);
        writer.Header("X-Long", value);

        Written(writer).Should().Be($"X-Long: {value}\r\n");
    }
}
