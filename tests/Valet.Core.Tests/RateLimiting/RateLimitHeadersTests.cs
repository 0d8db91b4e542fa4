using FluentAssertions;
using Microsoft.AspNetCore.Http;
using Valet.Core.RateLimiting;
using Xunit;

namespace Valet.Core.Tests.RateLimiting;

public class RateLimitHeadersTests
{
    [Theory]
    [InlineData(1, 10, 37.2, "1", "9", "38")]
    [InlineData(4095, 4096, 0.5, "4095", "1", "1")]
    [InlineData(4096, 5000, 60, "4096", "904", "60")]
    [InlineData(1_000_000, 2_000_000_000, 59.001, "1000000", "1999000000", "60")]
    [InlineData(0, 0, 0, "0", "0", "0")]
    public void Write_AdmittedFigures_AsTheSpecSays(long used, long limit, double resetSeconds, string usedText, string remaining, string reset)
    {
        var headers = Write(admitted: true, used, limit, TimeSpan.FromSeconds(resetSeconds));

        headers["X-Ratelimit-Used"].ToString().Should().Be(usedText);
        headers["X-Ratelimit-Remaining"].ToString().Should().Be(remaining);
        headers["X-Ratelimit-Reset"].ToString().Should().Be(reset);
        headers["RateLimit-Policy"].ToString().Should().Be("\"shop\";q=10;w=60");
        headers["RateLimit"].ToString().Should().Be($"\"shop\";r={remaining};t={reset}");
        headers.ContainsKey("Retry-After").Should().BeFalse();
    }

    [Fact]
    public void Write_SameFiguresTwice_SameTexts()
    {
        var first = Write(admitted: true, 7, 10, TimeSpan.FromSeconds(3));
        var second = Write(admitted: true, 7, 10, TimeSpan.FromSeconds(3));

        second["X-Ratelimit-Used"].ToString().Should().Be(first["X-Ratelimit-Used"].ToString()).And.Be("7");
        second["RateLimit"].ToString().Should().Be("\"shop\";r=3;t=3");
    }

    [Theory]
    [InlineData(12.1, "13")]
    [InlineData(0.2, "1")]
    [InlineData(0, "1")]
    public void Write_Rejected_RetryAfterIsTheWindowsEndAtLeastOneSecond(double resetSeconds, string retryAfter)
    {
        var headers = Write(admitted: false, 10, 10, TimeSpan.FromSeconds(resetSeconds));

        headers["Retry-After"].ToString().Should().Be(retryAfter);
        headers["X-Ratelimit-Remaining"].ToString().Should().Be("0");
    }

    [Theory]
    [InlineData(0, "0")]
    [InlineData(4095, "4095")]
    [InlineData(4096, "4096")]
    [InlineData(long.MaxValue, "9223372036854775807")]
    public void Text_DecimalInvariant(long value, string expected)
    {
        RateLimitHeaders.Text(value).Should().Be(expected);
    }

    private static HeaderDictionary Write(bool admitted, long used, long limit, TimeSpan resetAfter)
    {
        var lease = new WindowLease();
        lease.Set(null, admitted, used, limit, resetAfter);
        var headers = new HeaderDictionary();
        RateLimitHeaders.Write(headers, lease, "\"shop\";q=10;w=60", "shop");
        return headers;
    }
}
