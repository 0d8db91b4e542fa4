using System.Text;
using Valet.Core.Forwarding.Http1;

namespace Valet.Core.Tests.Forwarding.Http1;

/// <summary>The answer head parser of Valet's HTTP/1.1 client: framing, keep-alive, and what RFC 9112 says a client must reject.</summary>
public sealed class Http1ResponseHeadTests
{
    private static Http1ResponseHead Parse(string text)
    {
        var head = new Http1ResponseHead();
        head.TryParse(Encoding.Latin1.GetBytes(text)).Should().BeTrue();
        return head;
    }

    [Fact]
    public void TryParse_StatusReasonAndFields_OffsetsIntoTheBuffer()
    {
        var bytes = Encoding.Latin1.GetBytes("HTTP/1.1 404 Not Here\r\nContent-Type:  text/plain \r\nX-Empty:\r\nContent-Length: 3\r\n\r\nabc");
        var head = new Http1ResponseHead();

        head.TryParse(bytes).Should().BeTrue();

        head.Status.Should().Be(404);
        Encoding.ASCII.GetString(bytes[head.Reason]).Should().Be("Not Here");
        head.Length.Should().Be(bytes.Length - 3);
        head.FieldCount.Should().Be(3);
        var (nameStart, nameLength, valueStart, valueLength) = head.Field(0);
        Encoding.ASCII.GetString(bytes, nameStart, nameLength).Should().Be("Content-Type");
        Encoding.ASCII.GetString(bytes, valueStart, valueLength).Should().Be("text/plain", "surrounding whitespace is not part of a value");
        head.Field(1).ValueLength.Should().Be(0);
        head.ContentLength.Should().Be(3);
        head.BodyKind("GET").Should().Be(Http1BodyKind.ContentLength);
        head.KeepAlive(Http1BodyKind.ContentLength).Should().BeTrue();
    }

    [Theory]
    [InlineData("")]
    [InlineData("HTTP/1.1 200 OK\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n")]
    public void TryParse_Incomplete_False(string text)
    {
        new Http1ResponseHead().TryParse(Encoding.ASCII.GetBytes(text)).Should().BeFalse();
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", "GET", "ContentLength")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", "GET", "None")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", "HEAD", "None")]
    [InlineData("HTTP/1.1 204 No Content\r\n\r\n", "GET", "None")]
    [InlineData("HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n", "GET", "None")]
    [InlineData("HTTP/1.1 100 Continue\r\n\r\n", "GET", "None")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "GET", "Chunked")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\nContent-Length: 5\r\n\r\n", "GET", "Chunked")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", "GET", "UntilClose")]
    [InlineData("HTTP/1.1 200 OK\r\n\r\n", "GET", "UntilClose")]
    public void BodyKind_AsRfc9112Section63(string text, string method, string expected)
    {
        Parse(text).BodyKind(method).ToString().Should().Be(expected);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n", true)]
    [InlineData("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\n", false)]
    [InlineData("HTTP/1.1 200 OK\r\nConnection: X-Hop, Close\r\nContent-Length: 1\r\n\r\n", false)]
    [InlineData("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n", false)]
    [InlineData("HTTP/1.1 200 OK\r\n\r\n", false)]
    public void KeepAlive_OnlyForDelimitedHttp11AnswersWithoutClose(string text, bool expected)
    {
        var head = Parse(text);
        head.KeepAlive(head.BodyKind("GET")).Should().Be(expected);
    }

    [Theory]
    [InlineData("Connection: keep-alive\r\n", false)]
    [InlineData("Connection: close\r\n", false)]
    [InlineData("Connection: Keep-Alive, , close\r\n", false)]
    [InlineData("", false)]
    [InlineData("Connection: close, X-Hop\r\n", true)]
    [InlineData("Connection: keep-alive\r\nConnection: x-trace\r\n", true)]
    public void HasConnectionTokens_OnlyWhenConnectionNamesAHeader(string connection, bool expected)
    {
        Parse($"HTTP/1.1 200 OK\r\n{connection}Content-Length: 1\r\n\r\n").HasConnectionTokens.Should().Be(expected);
    }

    [Fact]
    public void TryParse_SameContentLengthTwice_Accepted()
    {
        Parse("HTTP/1.1 200 OK\r\nContent-Length: 7\r\ncontent-length: 7\r\n\r\n").ContentLength.Should().Be(7);
    }

    [Theory]
    [InlineData("HTTP/1.1 20 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 2000 OK\r\n\r\n")]
    [InlineData("HTTP/2.0 200 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 099 Low\r\n\r\n")]
    [InlineData("ICY 200 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: -3\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nName : value\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\n: value\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nNoColon\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nX-A: a\0b\r\n\r\n")]
    public void TryParse_Invalid_Throws(string text)
    {
        var act = () => new Http1ResponseHead().TryParse(Encoding.Latin1.GetBytes(text));

        act.Should().Throw<Http1ResponseException>();
    }

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("1a", 26L)]
    [InlineData("FF;name=value", 255L)]
    [InlineData("10 ", 16L)]
    public void ChunkSize_HexWithExtensions(string line, long expected)
    {
        Http1ResponseWriter.ChunkSize(Encoding.ASCII.GetBytes(line)).Should().Be(expected);
    }

    [Theory]
    [InlineData("")]
    [InlineData("zz")]
    [InlineData("-1")]
    [InlineData("1000000000000000")]
    public void ChunkSize_Invalid_Throws(string line)
    {
        var act = () => Http1ResponseWriter.ChunkSize(Encoding.ASCII.GetBytes(line));

        act.Should().Throw<Http1ResponseException>();
    }
}
