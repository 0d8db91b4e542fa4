using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Valet.Core.Diagnostics;
using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Diagnostics;

/// <summary>Issue 9, requirement 5: W3C traceparent to backends, and the <c>Valet</c> ActivitySource.</summary>
public sealed partial class TracingTests
{
    private const string ClientTrace = "0af7651916cd43dd8448eb211c80319c";
    private const string ClientSpan = "b7ad6b7169203331";
    private const string ClientParent = $"00-{ClientTrace}-{ClientSpan}-01";

    private static string SeenTraceParent(TestBackend backend, int index) => backend.Seen.ElementAt(index).Headers["traceparent"];

    [Fact]
    public async Task NoClientTraceparent_BackendGetsANewTracePerRequest()
    {
        await using var backend = await TestBackend.StartNamedAsync("ok");
        await using var gateway = await TestGateway.StartAsync([TestGateway.App("svc", backend)]);

        (await gateway.GetAsync("/svc/a")).Dispose();
        (await gateway.GetAsync("/svc/b")).Dispose();

        var first = TraceParent().Match(SeenTraceParent(backend, 0));
        var second = TraceParent().Match(SeenTraceParent(backend, 1));
        first.Success.Should().BeTrue(SeenTraceParent(backend, 0));
        second.Success.Should().BeTrue(SeenTraceParent(backend, 1));
        first.Groups["trace"].Value.Should().NotBe(new string('0', 32)).And.NotBe(second.Groups["trace"].Value);
        first.Groups["span"].Value.Should().NotBe(new string('0', 16));
        first.Groups["flags"].Value.Should().Be("01");
        backend.Seen.Should().OnlyContain(s => s.Headers["traceparent"].Split(',').Length == 1, "exactly one traceparent");
    }

    [Fact]
    public async Task ClientTraceparent_TraceContinued_TracestateKept_InvalidOneReplaced()
    {
        await using var backend = await TestBackend.StartNamedAsync("ok");
        await using var gateway = await TestGateway.StartAsync([TestGateway.App("svc", backend)]);

        (await gateway.GetAsync("/svc/a", ("traceparent", ClientParent), ("tracestate", "vendor=abc"))).Dispose();
        (await gateway.GetAsync("/svc/b", ("traceparent", "00-00000000000000000000000000000000-b7ad6b7169203331-01"))).Dispose();
        (await gateway.GetAsync("/svc/c", ("traceparent", "garbage"))).Dispose();

        var continued = TraceParent().Match(SeenTraceParent(backend, 0));
        continued.Groups["trace"].Value.Should().Be(ClientTrace);
        backend.Seen.ElementAt(0).Headers["tracestate"].Should().Be("vendor=abc");
        foreach (var i in new[] { 1, 2 })
        {
            var replaced = TraceParent().Match(SeenTraceParent(backend, i));
            replaced.Success.Should().BeTrue(SeenTraceParent(backend, i));
            replaced.Groups["trace"].Value.Should().NotBe(ClientTrace).And.NotBe(new string('0', 32));
        }
    }

    [Fact]
    public async Task AggregateParts_CarryTheRequestsTrace()
    {
        await using var backend = await TestBackend.StartNamedAsync("{\"ok\":true}");
        var agg = new Dictionary<string, object?>
        {
            ["name"] = "agg",
            ["aggregate"] = new { parts = new object[] { new { key = "a", app = "svc", path = "/one" }, new { key = "b", app = "svc", path = "/two" } } },
        };
        await using var gateway = await TestGateway.StartAsync([TestGateway.App("svc", backend), agg]);

        using var response = await gateway.GetAsync("/agg/", ("traceparent", ClientParent));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        backend.Seen.Should().HaveCount(2);
        backend.Seen.Select(s => TraceParent().Match(s.Headers["traceparent"]).Groups["trace"].Value).Should().OnlyContain(t => t == ClientTrace);
    }

    [Fact]
    public async Task ValetActivitySource_ServerAndUpstreamSpans_BackendParentIsTheUpstreamSpan()
    {
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ValetTelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                if (a.TraceId.ToHexString() == ClientTrace) stopped.Enqueue(a);
            },
        };
        ActivitySource.AddActivityListener(listener);
        await using var backend = await TestBackend.StartNamedAsync("ok");
        var svc = TestGateway.App("svc", backend);
        svc["authorize"] = true;
        svc["keys"] = new object[] { new { id = "alice", key = "alice-key-7f3a9" } };
        await using var gateway = await TestGateway.StartAsync([svc]);

        using var response = await gateway.GetAsync("/svc/a?x=1", ("traceparent", ClientParent), ("X-Valet-Auth", "alice-key-7f3a9"), ("X-Request-Id", "req-9"));
        await Eventually.WaitUntil(() => stopped.Count >= 2, "both spans stopped");

        var server = stopped.Single(a => a.OperationName == "valet.request");
        var upstream = stopped.Single(a => a.OperationName == "valet.upstream");
        server.Kind.Should().Be(ActivityKind.Server);
        server.ParentSpanId.ToHexString().Should().Be(ClientSpan);
        server.Source.Name.Should().Be("Valet");
        server.DisplayName.Should().Be("GET /svc");
        server.GetTagItem("valet.app").Should().Be("svc");
        server.GetTagItem("valet.consumer").Should().Be("alice");
        server.GetTagItem("valet.request_id").Should().Be("req-9");
        server.GetTagItem("http.response.status_code").Should().Be(200);
        server.GetTagItem("url.path").Should().Be("/svc/a");
        upstream.Kind.Should().Be(ActivityKind.Client);
        upstream.ParentSpanId.Should().Be(server.SpanId);
        upstream.GetTagItem("valet.endpoint").Should().Be($"http://127.0.0.1:{backend.Port}");
        upstream.GetTagItem("http.response.status_code").Should().Be(200);
        SeenTraceParent(backend, 0).Should().Be($"00-{ClientTrace}-{upstream.SpanId.ToHexString()}-01");
    }

    [GeneratedRegex("^00-(?<trace>[0-9a-f]{32})-(?<span>[0-9a-f]{16})-(?<flags>[0-9a-f]{2})$")]
    private static partial Regex TraceParent();
}
