using System.Text.Json;
using Grpc.Health.V1;
using Valet.Core.RateLimiting;
using Valet.Peering.Client;
using Valet.Peering.Protocol;
using Valet.Peering.Protocol.V1;
using Valet.Peering.Server;
using Valet.Peering.Tests.Infrastructure;

namespace Valet.Peering.Tests.Interop;

/// <summary>Valet's client calls a grpcio server implementing the same protos.</summary>
public sealed class ValetCallsGrpcioTests : IAsyncLifetime
{
    private PythonGrpc _server = null!;
    private Uri _address = null!;

    public async Task InitializeAsync()
    {
        _server = await PythonGrpc.StartAsync("interop_server.py", "tok", "{stubs}");
        var port = (await _server.LineAsync(l => l.StartsWith("PORT ", StringComparison.Ordinal), "the server's port"))[5..];
        _address = new Uri($"http://127.0.0.1:{port}/");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static long Window => DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60;

    [Fact]
    public async Task Unary_HealthCheck_Serving()
    {
        using var channel = new PeerChannel(_address, "tok");

        var reply = await channel.UnaryAsync(HealthService.CheckMethod, new HealthCheckRequest(), HealthCheckResponse.Parser, TimeSpan.FromSeconds(5));

        reply.Status.Should().Be(HealthCheckResponse.Types.ServingStatus.Serving);
    }

    [Fact]
    public async Task Unary_ErrorWithNonAsciiMessage_DecodedStatus()
    {
        using var channel = new PeerChannel(_address, "tok");

        var call = () => channel.UnaryAsync(PeeringService.SnapshotMethod, new SnapshotRequest { NodeId = "error" }, CounterBatch.Parser, TimeSpan.FromSeconds(5));

        var error = (await call.Should().ThrowAsync<GrpcException>()).Which;
        error.Code.Should().Be(GrpcStatusCode.NotFound);
        error.Status.Message.Should().Be("pas trouvé ✓ 100%");
    }

    [Fact]
    public async Task Unary_WrongToken_Unauthenticated()
    {
        using var channel = new PeerChannel(_address, "wrong");

        var call = () => channel.UnaryAsync(PeeringService.PushMethod, new CounterBatch { NodeId = "a" }, PushReply.Parser, TimeSpan.FromSeconds(5));

        (await call.Should().ThrowAsync<GrpcException>()).Which.Code.Should().Be(GrpcStatusCode.Unauthenticated);
    }

    [Fact]
    public async Task Unary_UnknownMethod_Unimplemented()
    {
        using var channel = new PeerChannel(_address, "tok");

        var call = () => channel.UnaryAsync("/valet.peering.v1.Peering/Nope", new SnapshotRequest(), CounterBatch.Parser, TimeSpan.FromSeconds(5));

        (await call.Should().ThrowAsync<GrpcException>()).Which.Code.Should().Be(GrpcStatusCode.Unimplemented);
    }

    [Fact]
    public async Task Unary_LargeRequest_Accepted()
    {
        using var channel = new PeerChannel(_address, "tok");
        var batch = new CounterBatch { NodeId = "a" };
        for (var i = 0; i < 6000; i++) batch.Updates.Add(new CounterUpdate { App = "api", Partition = $"p{i}-" + new string('x', 200), Period = 60, Window = Window, Count = 1 });
        batch.CalculateSize().Should().BeGreaterThan(1024 * 1024);

        var reply = await channel.UnaryAsync(PeeringService.PushMethod, batch, PushReply.Parser, TimeSpan.FromSeconds(10));

        reply.Accepted.Should().Be(6000);
    }

    [Fact]
    public async Task Unary_SlowServer_DeadlineExceeded()
    {
        using var channel = new PeerChannel(_address, "tok");

        var call = () => channel.UnaryAsync(PeeringService.SnapshotMethod, new SnapshotRequest { NodeId = "slow" }, CounterBatch.Parser, TimeSpan.FromMilliseconds(300));

        (await call.Should().ThrowAsync<GrpcException>()).Which.Code.Should().Be(GrpcStatusCode.DeadlineExceeded);
    }

    [Fact]
    public async Task SyncLink_GrpcioPeer_SnapshotMergedAndIncrementsSent()
    {
        var options = new PeeringOptions { NodeId = "valet-a", Peers = [_address], Token = "tok", StartupWait = TimeSpan.FromSeconds(10) };
        await using var node = new PeeringNode(options);
        node.Start();

        (await node.Ready).Should().BeTrue("the grpcio peer's snapshot arrives");
        var key = new CounterKey("api", "*", 60, Window);
        node.Store.Read(key).Should().Be(7);
        await _server.LineAsync(l => l.Contains("\"hello\": \"valet-a\"", StringComparison.Ordinal), "the grpcio peer got the Hello");

        node.Store.TryAcquire(key, 100).Should().Be(new CounterResult(true, 8));

        var line = await _server.LineAsync(l => l.Contains("\"count\": 1", StringComparison.Ordinal) && l.Contains("\"snapshot\": false", StringComparison.Ordinal), "the increment reached grpcio");
        JsonDocument.Parse(line).RootElement.GetProperty("app").GetString().Should().Be("api");
    }
}
