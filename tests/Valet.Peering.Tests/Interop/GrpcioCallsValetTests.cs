using System.Text.Json;
using Valet.Core.RateLimiting;
using Valet.Peering.Tests.Infrastructure;

namespace Valet.Peering.Tests.Interop;

/// <summary>Debian's grpcio (a real gRPC stack) calls Valet's peer service.</summary>
public sealed class GrpcioCallsValetTests
{
    [Fact]
    public async Task GrpcioClient_EveryCase_GetsTheRightAnswerAndTheNodeKeepsServing()
    {
        await using var cluster = await TestCluster.StartAsync(2, [Apps.Limited("api", 1000)], token: "s3cret", nodeIdPrefix: "nœud-");
        var node = cluster[0];

        await using var python = await PythonGrpc.StartAsync("interop_client.py", $"127.0.0.1:{node.Options.PeerPort}", "s3cret", "{stubs}", node.NodeId);
        var line = await python.LineAsync(l => l.StartsWith('{'), "the client's results", TimeSpan.FromSeconds(90));
        var results = JsonDocument.Parse(line).RootElement;
        string Code(string name) => results.GetProperty(name).GetProperty("code").GetString()!;
        string Value(string name) => results.GetProperty(name).GetProperty("value").GetRawText();

        Code("health").Should().Be("OK");
        Value("health").Should().Be("\"SERVING\"");
        Code("health_unknown_service").Should().Be("NOT_FOUND");
        Code("push").Should().Be("OK");
        Value("push").Should().Be("1");
        Code("snapshot").Should().Be("OK");
        Value("snapshot").Should().Contain("[\"py\",\"api\",5]");
        Value("push_absurd").Should().Be("[0,5]", "negative, enormous, far-window and unknown-app updates are all refused");
        Code("large_unary").Should().Be("OK");
        results.GetProperty("large_unary").GetProperty("value")[0].GetInt32().Should().BeGreaterThan(1024 * 1024);
        results.GetProperty("large_unary").GetProperty("value")[1].GetInt32().Should().Be(5000);
        Code("oversized").Should().Be("RESOURCE_EXHAUSTED");
        Code("bad_token").Should().Be("UNAUTHENTICATED");
        Code("no_token_sync").Should().Be("UNAUTHENTICATED");
        Code("unknown_method").Should().Be("UNIMPLEMENTED");
        Code("unknown_service").Should().Be("UNIMPLEMENTED");
        Code("own_node_id").Should().Be("FAILED_PRECONDITION");
        results.GetProperty("own_node_id").GetProperty("details").GetString().Should().Contain("nœud-0", "grpc-message is percent-encoded UTF-8");
        Code("empty_stream").Should().Be("INVALID_ARGUMENT");
        Code("sync").Should().Be("OK");
        Value("sync").Should().Contain("hello:nœud-0").And.Contain("py=5");
        Code("deadline").Should().Be("DEADLINE_EXCEEDED");
        Code("cancel").Should().Be("OK");
        Value("cancel").Should().Be("[\"hello\",\"CANCELLED\"]");
        Code("health_after").Should().Be("OK");

        // The pushed and streamed counts were merged; the bad-token push (99) was not.
        var window = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60;
        await Eventually.Until(() => node.Store.Read(new CounterKey("api", "*", 60, window)) == 9, "py=5 and py-sync=4 are merged");
        node.Peering.Metrics.AuthFailures.Should().BeGreaterThanOrEqualTo(2);
        (await node.Client.GetAsync("/api/x")).StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
    }
}
