using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Http;
using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Policies;

public sealed class BodyLimitTests
{
    private static Dictionary<string, object?> Capped(TestBackend backend, long max)
    {
        var app = TestGateway.App("svc", backend);
        app["maxBodyBytes"] = max;
        return app;
    }

    private static HttpRequestMessage Chunked(int size)
    {
        var content = new StreamContent(new UnseekableStream(new byte[size]));
        var request = new HttpRequestMessage(HttpMethod.Post, "/svc/up") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        return request;
    }

    [Fact]
    public async Task Body_DeclaredLengthOverLimit_413AndNothingForwarded()
    {
        await using var backend = await TestBackend.StartNamedAsync("ok");
        await using var gateway = await TestGateway.StartAsync([Capped(backend, 1000)]);

        using var response = await gateway.Client.PostAsync("/svc/up", new ByteArrayContent(new byte[1001]));

        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        backend.Hits.Should().Be(0);
    }

    [Fact]
    public async Task Body_ChunkedGrowingPastLimit_413AndNothingForwarded()
    {
        await using var backend = await TestBackend.StartNamedAsync("ok");
        await using var gateway = await TestGateway.StartAsync([Capped(backend, 1000)]);

        using var response = await gateway.Client.SendAsync(Chunked(5000));

        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        backend.Hits.Should().Be(0);
    }

    [Fact]
    public async Task Body_AtLimitDeclaredOrChunked_Forwarded()
    {
        await using var backend = await TestBackend.StartAsync(c => c.Response.WriteAsync(((byte[])c.Items["body"]!).Length.ToString()));
        await using var gateway = await TestGateway.StartAsync([Capped(backend, 1000)]);

        using var declared = await gateway.Client.PostAsync("/svc/up", new ByteArrayContent(new byte[1000]));
        using var chunked = await gateway.Client.SendAsync(Chunked(1000));

        (await declared.Content.ReadAsStringAsync()).Should().Be("1000");
        (await chunked.Content.ReadAsStringAsync()).Should().Be("1000");
        backend.Seen.Last().Headers["Content-Length"].Should().Be("1000");
    }

    [Fact]
    public async Task Body_ChunkedPastLargeLimit_StreamCutOffAnd413()
    {
        var backendFailed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var backend = await TestBackend.StartAsync(async c =>
        {
            try
            {
                await c.Request.Body.CopyToAsync(Stream.Null);
                await c.Response.WriteAsync("complete");
            }
            catch (Exception)
            {
                backendFailed.TrySetResult();
            }
        }, record: false);
        const long limit = 17 * 1024 * 1024;
        await using var gateway = await TestGateway.StartAsync([Capped(backend, limit)]);

        // A raw client that keeps uploading while it reads: the gateway answers 413 and closes while
        // the upload is still in flight, so a client that only reads after writing would see the
        // reset instead of the answer (HttpClient does exactly that).
        using var client = new TcpClient();
        await client.ConnectAsync(gateway.Address.Host, gateway.Address.Port);
        var stream = client.GetStream();
        var head = Encoding.ASCII.GetBytes($"POST /svc/up HTTP/1.1\r\nHost: {gateway.Address.Authority}\r\nTransfer-Encoding: chunked\r\n\r\n");
        await stream.WriteAsync(head);
        var upload = Task.Run(async () =>
        {
            var chunk = new byte[64 * 1024];
            var frame = Encoding.ASCII.GetBytes($"{chunk.Length:x}\r\n");
            var crlf = "\r\n"u8.ToArray();
            try
            {
                for (long sent = 0; sent <= limit + 1024 * 1024; sent += chunk.Length)
                {
                    await stream.WriteAsync(frame);
                    await stream.WriteAsync(chunk);
                    await stream.WriteAsync(crlf);
                }
            }
            catch (IOException)
            {
                // The gateway closed the connection on us: expected once the limit is passed.
            }
        });

        var answer = new StringBuilder();
        var buffer = new byte[4096];
        try
        {
            int read;
            while (!answer.ToString().Contains("\r\n\r\n") && (read = await stream.ReadAsync(buffer)) > 0)
                answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
        catch (IOException)
        {
            // A reset after the answer arrived; what was read is checked below.
        }

        answer.ToString().Should().StartWith("HTTP/1.1 413 ");
        await backendFailed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        client.Close();
        await upload.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private sealed class UnseekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
