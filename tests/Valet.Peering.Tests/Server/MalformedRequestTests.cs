using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Grpc.Health.V1;
using Valet.Peering.Client;
using Valet.Peering.Protocol;
using Valet.Peering.Protocol.V1;
using Valet.Peering.Server;
using Valet.Peering.Tests.Infrastructure;

namespace Valet.Peering.Tests.Server;

/// <summary>Malformed calls get the right status, and the node keeps serving.</summary>
public sealed class MalformedRequestTests : IAsyncLifetime
{
    private TestCluster _cluster = null!;
    private HttpMessageInvoker _http = null!;

    public async Task InitializeAsync()
    {
        _cluster = await TestCluster.StartAsync(2, [Apps.Limited("api", 100)], token: "tok",
            tune: o => o with { MaxMessageBytes = 64 * 1024 });
        _http = new HttpMessageInvoker(new SocketsHttpHandler { UseProxy = false });
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _cluster.DisposeAsync();
    }

    private Uri Peer => _cluster[0].PeerAddress;

    private async Task<(HttpStatusCode Http, GrpcStatus? Grpc)> SendAsync(byte[] body, string contentType = GrpcHeaders.ContentType, string path = PeeringService.PushMethod)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Peer, path))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        request.Headers.TE.ParseAdd("trailers");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "tok");
        using var response = await _http.SendAsync(request, default);
        var grpc = new GrpcResponse(response, GrpcHeaders.DefaultMaxMessageBytes);
        if (grpc.HeaderStatus() is { } early) return (response.StatusCode, early);
        await (await response.Content.ReadAsStreamAsync()).CopyToAsync(Stream.Null);
        return (response.StatusCode, grpc.TrailerStatus());
    }

    private async Task StillServesAsync()
    {
        using var channel = new PeerChannel(Peer, "tok");
        var health = await channel.UnaryAsync(HealthService.CheckMethod, new HealthCheckRequest(), HealthCheckResponse.Parser, TimeSpan.FromSeconds(5));
        health.Status.Should().Be(HealthCheckResponse.Types.ServingStatus.Serving);
        (await _cluster[0].Client.GetAsync("/api/x")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task BadLengthPrefix_LongerThanTheBody_Internal()
    {
        var body = new byte[] { 0, 0, 0, 0x10, 0, 1, 2, 3 };

        var (http, grpc) = await SendAsync(body);

        http.Should().Be(HttpStatusCode.OK);
        grpc!.Value.Code.Should().Be(GrpcStatusCode.Internal);
        await StillServesAsync();
    }

    [Fact]
    public async Task OversizedMessage_ResourceExhausted()
    {
        var batch = new CounterBatch { NodeId = "x" };
        for (var i = 0; i < 1000; i++) batch.Updates.Add(new CounterUpdate { App = "api", Partition = new string('p', 100) + i, Period = 60, Count = 1 });

        var (_, grpc) = await SendAsync(GrpcFrameWriter.Frame(batch));

        grpc!.Value.Code.Should().Be(GrpcStatusCode.ResourceExhausted);
        await StillServesAsync();
    }

    [Fact]
    public async Task DeclaredLengthHuge_ResourceExhaustedWithoutReadingIt()
    {
        var prefix = new byte[5];
        BinaryPrimitives.WriteUInt32BigEndian(prefix.AsSpan(1), uint.MaxValue);

        var (_, grpc) = await SendAsync(prefix);

        grpc!.Value.Code.Should().Be(GrpcStatusCode.ResourceExhausted);
        await StillServesAsync();
    }

    [Fact]
    public async Task NotProtobuf_Internal()
    {
        var (_, grpc) = await SendAsync([0, 0, 0, 0, 4, 0xFF, 0xFF, 0xFF, 0xFF]);

        grpc!.Value.Code.Should().Be(GrpcStatusCode.Internal);
        await StillServesAsync();
    }

    [Fact]
    public async Task WrongContentType_415()
    {
        var (http, grpc) = await SendAsync(GrpcFrameWriter.Frame(new CounterBatch()), contentType: "application/json");

        http.Should().Be(HttpStatusCode.UnsupportedMediaType);
        grpc!.Value.Code.Should().Be(GrpcStatusCode.Unknown, "a client maps HTTP 415 without grpc-status to UNKNOWN");
        await StillServesAsync();
    }

    [Fact]
    public async Task UnknownMethod_TrailersOnlyUnimplemented()
    {
        var (http, grpc) = await SendAsync(GrpcFrameWriter.Frame(new CounterBatch()), path: "/valet.peering.v1.Peering/Nope");

        http.Should().Be(HttpStatusCode.OK);
        grpc!.Value.Code.Should().Be(GrpcStatusCode.Unimplemented);
    }

    [Fact]
    public async Task Http11OnTheH2cPort_RefusedAndTheNodeKeepsServing()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, _cluster[0].Options.PeerPort);
        var request = $"POST {PeeringService.PushMethod} HTTP/1.1\r\nHost: x\r\nContent-Type: application/grpc\r\nContent-Length: 0\r\n\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(request));
        var buffer = new byte[4096];
        var read = await socket.ReceiveAsync(buffer).WaitAsync(TimeSpan.FromSeconds(10));

        var answer = Encoding.ASCII.GetString(buffer, 0, read);
        answer.Should().StartWith("HTTP/1.1 426");
        await StillServesAsync();
    }
}
