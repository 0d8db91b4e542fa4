using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Valet.Daemon.Tests.Infrastructure;

/// <summary>What a backend saw of one request.</summary>
public sealed record SeenRequest(string Method, string RawTarget, IReadOnlyDictionary<string, string> Headers, byte[] Body);

/// <summary>A real Kestrel backend on 127.0.0.1 with an ephemeral port.</summary>
public sealed class TestBackend : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestBackend(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public ConcurrentQueue<SeenRequest> Seen { get; } = new();

    public int Hits => Seen.Count;

    /// <summary>
    /// Starts a backend; <paramref name="handler"/> answers after the request was recorded (unless
    /// <paramref name="record"/> is false). With <paramref name="certificate"/> it speaks TLS (ALPN
    /// offers <paramref name="protocols"/>).
    /// </summary>
    public static async Task<TestBackend> StartAsync(Func<HttpContext, Task> handler, bool record = true, HttpProtocols protocols = HttpProtocols.Http1,
        System.Security.Cryptography.X509Certificates.X509Certificate2? certificate = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = null;
            k.Listen(IPAddress.Loopback, 0, l =>
            {
                l.Protocols = protocols;
                if (certificate is not null) l.UseHttps(certificate);
            });
        });
        var app = builder.Build();
        TestBackend? self = null;
        app.Run(async context =>
        {
            if (record)
            {
                byte[] body = [];
                if (context.Request.ContentLength is > 0 and < 1_000_000 || context.Request.Headers.TransferEncoding.Count > 0)
                {
                    using var buffer = new MemoryStream();
                    await context.Request.Body.CopyToAsync(buffer);
                    body = buffer.ToArray();
                }

                var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
                self!.Seen.Enqueue(new SeenRequest(context.Request.Method, context.Features.Get<IHttpRequestFeature>()!.RawTarget, headers, body));
                context.Items["body"] = body;
            }

            await handler(context);
        });
        await app.StartAsync();
        var address = app.Urls.First();
        self = new TestBackend(app, new Uri(address).Port);
        return self;
    }

    /// <summary>A backend that answers 200 with a body naming itself.</summary>
    public static Task<TestBackend> StartNamedAsync(string name) =>
        StartAsync(c => c.Response.WriteAsync(name));

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
