using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Valet.Core.RateLimiting;
using Valet.Peering.Client;
using Valet.Peering.Protocol;
using Valet.Peering.Protocol.V1;
using Valet.Peering.Server;
using Valet.Peering.Tests.Infrastructure;

namespace Valet.Peering.Tests.Server;

/// <summary>
/// The peer port with a token set: a call without it, with a wrong one, or with the right one in
/// the wrong place gets UNAUTHENTICATED, and nothing it sends is counted or answered. (Wrong
/// tokens between two real nodes are in ClusterSyncTests; grpcio's calls in GrpcioCallsValetTests.)
/// </summary>
[Trait("Category", "Reliability")]
public sealed class PeerAuthTests(PeerAuthTests.Cluster fixture) : IClassFixture<PeerAuthTests.Cluster>
{
    private const string Token = "cluster-token-0123456789";

    /// <summary>Two nodes sharing the token; "pushed" only ever gets counts by Push, "api" by requests.</summary>
    public sealed class Cluster : IAsyncLifetime
    {
        public TestCluster Nodes { get; private set; } = null!;

        public HttpMessageInvoker Http { get; } = new(new SocketsHttpHandler { UseProxy = false });

        public async Task InitializeAsync() =>
            Nodes = await TestCluster.StartAsync(2, [Apps.Limited("api", 1000), Apps.Limited("pushed", 1000)], token: Token);

        public async Task DisposeAsync()
        {
            Http.Dispose();
            await Nodes.DisposeAsync();
        }
    }

    private ClusterNode Node => fixture.Nodes[0];

    private readonly long _window = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60;

    private long Pushed => Node.Store.Read(new CounterKey("pushed", "*", 60, _window));

    private CounterBatch Increment(long count) => new()
    {
        NodeId = "intruder",
        Updates = { new CounterUpdate { App = "pushed", Partition = "*", Period = 60, Window = _window, Count = count } },
    };

    private async Task<(GrpcStatus? Status, byte[] Body)> CallAsync(string method, IMessage message, params (string Name, string Value)[] headers)
    {
        var content = new ByteArrayContent(GrpcFrameWriter.Frame(message));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(GrpcHeaders.ContentType);
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Node.PeerAddress, method))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        request.Headers.TE.ParseAdd("trailers");
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        using var response = await fixture.Http.SendAsync(request, default);
        var grpc = new GrpcResponse(response, GrpcHeaders.DefaultMaxMessageBytes);
        if (grpc.HeaderStatus() is { } early) return (early, []);
        var body = await response.Content.ReadAsByteArrayAsync();
        return (grpc.TrailerStatus(), body);
    }

    public static TheoryData<string, string, string> Refused() => new()
    {
        { "no token", "", "" },
        { "wrong token", "authorization", "Bearer wrong-token" },
        { "token with a byte more", "authorization", "Bearer " + Token + "x" },
        { "token missing its last byte", "authorization", "Bearer " + Token[..^1] },
        { "token without the Bearer scheme", "authorization", Token },
        { "token under Basic", "authorization", "Basic " + Token },
        { "token in x-peer-token", "x-peer-token", Token },
        { "token in x-valet-token", "x-valet-token", Token },
        { "token in proxy-authorization", "proxy-authorization", "Bearer " + Token },
        { "token as grpc metadata named token", "token", Token },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Push_WithoutTheToken_UnauthenticatedAndNothingCounted(string what, string header, string value)
    {
        var failuresBefore = Node.Peering.Metrics.AuthFailures;
        var before = Pushed;
        (string, string)[] headers = header.Length == 0 ? [] : [(header, value)];

        var (status, body) = await CallAsync(PeeringService.PushMethod, Increment(500), headers);

        status!.Value.Code.Should().Be(GrpcStatusCode.Unauthenticated, what);
        body.Should().BeEmpty("no reply message");
        Node.Peering.Metrics.AuthFailures.Should().BeGreaterThan(failuresBefore);
        Pushed.Should().Be(before, "an unauthenticated increment is ignored");
        (await Node.Client.GetAsync("/api/x")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Snapshot_WithoutTheToken_UnauthenticatedAndNoCountsDisclosed(string what, string header, string value)
    {
        (await Node.Client.GetAsync("/api/x")).StatusCode.Should().Be(HttpStatusCode.OK);
        (string, string)[] headers = header.Length == 0 ? [] : [(header, value)];

        var (status, body) = await CallAsync(PeeringService.SnapshotMethod, new SnapshotRequest { NodeId = "intruder" }, headers);

        status!.Value.Code.Should().Be(GrpcStatusCode.Unauthenticated, what);
        body.Should().BeEmpty("the snapshot (apps, consumers, client addresses) is not disclosed");
    }

    [Fact]
    public async Task Sync_WithoutTheToken_Unauthenticated()
    {
        var (status, body) = await CallAsync(PeeringService.SyncMethod, new SyncMessage { Hello = new Hello { NodeId = "intruder" } });

        status!.Value.Code.Should().Be(GrpcStatusCode.Unauthenticated);
        body.Should().BeEmpty();
        Node.Peering.Membership.Peers.Should().NotContain(p => p.NodeId == "intruder");
    }

    [Theory]
    [InlineData("Bearer ")]
    [InlineData("bearer    ")]
    [InlineData("Bearer \t")]
    public void EmptyToken_BearerAndNothing_NeverAuthorized(string authorization)
    {
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        context.Request.Headers.Authorization = authorization;

        new PeerAuthenticator("").IsAuthorized(context.Request).Should().BeFalse("a blank token is no secret");
        new PeerAuthenticator(Token).IsAuthorized(context.Request).Should().BeFalse();
    }

    [Fact]
    public async Task Push_WithTheToken_Counted()
    {
        var (status, _) = await CallAsync(PeeringService.PushMethod, Increment(7), ("authorization", "Bearer " + Token));

        status!.Value.Code.Should().Be(GrpcStatusCode.OK, "the control case: the same call with the token is merged");
        Pushed.Should().Be(7, "the intruder's refused pushes of 500 never counted; this one does");
    }
}
