using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Valet.Daemon.Hosting;
using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Diagnostics;

/// <summary>Issue 9, requirement 5: <c>--otlp-endpoint</c> exports traces and metrics over OTLP/HTTP protobuf.</summary>
public sealed class OtlpExportTests
{
    private const string ClientTrace = "4bf92f3577b34da6a3ce929d0e0e4736";

    [Fact]
    public async Task OtlpEndpoint_TracesAndMetricsPostedAsProtobuf()
    {
        // The receiver: an in-test HTTP listener on loopback answering like an OTLP/HTTP collector.
        await using var receiver = await TestBackend.StartAsync(context =>
        {
            context.Response.ContentType = "application/x-protobuf";
            return Task.CompletedTask;
        });
        await using var backend = await TestBackend.StartNamedAsync("ok");
        await using var gateway = await TestGateway.StartAsync([TestGateway.App("svc", backend)],
            otlpEndpoint: new Uri($"http://127.0.0.1:{receiver.Port}"));

        using var response = await gateway.GetAsync("/svc/a", ("traceparent", $"00-{ClientTrace}-00f067aa0ba902b7-01"));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        gateway.Services.GetRequiredService<OtlpExport>().Flush();

        var traces = receiver.Seen.Where(s => s.RawTarget == "/v1/traces").ToList();
        var metrics = receiver.Seen.Where(s => s.RawTarget == "/v1/metrics").ToList();
        traces.Should().NotBeEmpty();
        metrics.Should().NotBeEmpty();
        traces.Concat(metrics).Should().OnlyContain(s => s.Method == "POST" && s.Headers["Content-Type"] == "application/x-protobuf");
        var traceId = Convert.FromHexString(ClientTrace);
        traces.Should().Contain(s => Contains(s.Body, traceId), "the span of the request carries the client's trace id (16 raw bytes in the protobuf)");
        var request = Encoding.UTF8.GetBytes("valet.request");
        var upstream = Encoding.UTF8.GetBytes("valet.upstream");
        traces.Should().Contain(s => Contains(s.Body, request) && Contains(s.Body, upstream));
        var allMetrics = metrics.SelectMany(s => s.Body).ToArray();
        Contains(allMetrics, "valet.requests"u8.ToArray()).Should().BeTrue();
        Contains(allMetrics, "valet.request.duration"u8.ToArray()).Should().BeTrue();
        Contains(allMetrics, Encoding.UTF8.GetBytes("service.name")).Should().BeTrue();
    }

    [Theory]
    [InlineData("http://collector:4318", "http://collector:4318/v1/traces")]
    [InlineData("http://collector:4318/", "http://collector:4318/v1/traces")]
    [InlineData("https://otel.example/base", "https://otel.example/base/v1/traces")]
    public void Signal_PathAppendedToTheBaseUrl(string endpoint, string expected)
    {
        OtlpExport.Signal(new Uri(endpoint), "v1/traces").ToString().Should().Be(expected);
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
