using Microsoft.AspNetCore.Http;
using Valet.Core.Diagnostics;

namespace Valet.Core.Tests.Diagnostics;

/// <summary>Gateway errors toward gRPC clients: Trailers-Only gRPC statuses instead of problem+json.</summary>
public sealed class ProblemWriterGrpcTests
{
    private static async Task<DefaultHttpContext> WriteAsync(string? contentType, GatewayError error, string detail = "d")
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.ContentType = contentType;
        context.Response.Body = new MemoryStream();
        await ProblemWriter.WriteAsync(context, error, "app", "req-1", detail, retryAfterSeconds: 7);
        return context;
    }

    [Theory]
    [InlineData(GatewayError.Unauthorized, 16)]
    [InlineData(GatewayError.Forbidden, 7)]
    [InlineData(GatewayError.RateLimited, 8)]
    [InlineData(GatewayError.PayloadTooLarge, 8)]
    [InlineData(GatewayError.NoHealthyEndpoint, 14)]
    [InlineData(GatewayError.UpstreamUnreachable, 14)]
    [InlineData(GatewayError.UpstreamTimeout, 14)]
    [InlineData(GatewayError.AuthUnavailable, 14)]
    [InlineData(GatewayError.UnknownApp, 12)]
    [InlineData(GatewayError.MethodNotAllowed, 12)]
    public async Task GrpcRequest_Error_TrailersOnlyStatus(GatewayError error, int code)
    {
        var context = await WriteAsync("application/grpc+proto", error);

        context.Response.StatusCode.Should().Be(200);
        context.Response.ContentType.Should().Be("application/grpc");
        context.Response.Headers["grpc-status"].ToString().Should().Be(code.ToString(System.Globalization.CultureInfo.InvariantCulture));
        context.Response.Headers["grpc-message"].ToString().Should().Be("d");
        context.Response.Body.Length.Should().Be(0);
    }

    [Fact]
    public async Task GrpcRequest_NonAsciiDetail_PercentEncodedUtf8()
    {
        var context = await WriteAsync("application/grpc", GatewayError.Unauthorized, "clé 100%");

        context.Response.Headers["grpc-message"].ToString().Should().Be("cl%C3%A9 100%25");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("application/json")]
    [InlineData("text/grpc")]
    public async Task OtherRequest_Error_ProblemJson(string? contentType)
    {
        var context = await WriteAsync(contentType, GatewayError.RateLimited);

        context.Response.StatusCode.Should().Be(429);
        context.Response.ContentType.Should().Be(ProblemWriter.ContentType);
        context.Response.Headers.ContainsKey("grpc-status").Should().BeFalse();
    }
}
