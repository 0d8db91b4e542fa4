using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Valet.Core.Configuration;
using Valet.Core.Diagnostics;
using Valet.Core.Diagnostics.Traffic;
using Valet.Core.Forwarding;
using Valet.Core.Forwarding.Http1;
using Valet.Core.Pipeline;
using Valet.Core.LoadBalancing;
using Valet.Core.Routing;

namespace Valet.Benchmarks;

/// <summary>
/// Copying a typical browser-like set of ten request headers into the upstream message, as
/// <see cref="HttpForwarder"/> does in step 1 (hop-by-hop and the key header dropped, the
/// <c>Connection</c> list honoured).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(BenchConfig))]
public class HeaderCopyBenchmarks
{
    private static readonly Uri Target = new("http://127.0.0.1:9000/v1/users/42");

    private AppState _state = null!;
    private AppModel _app = null!;
    private HttpRequest _request = null!;
    private HttpRequestMessage _reused = null!;
    private GatewayRequest _gateway = null!;
    private readonly Http1HeadWriter _head = new();

    [GlobalSetup]
    public void Setup()
    {
        var config = new AppConfig
        {
            Name = "userauth",
            Authorize = true,
            AuthKey = "4f9c2d7e1b8a4c6f9e3d2a1b0c9d8e7f",
            Endpoints = [new EndpointConfig { Host = "127.0.0.1", Port = 9000 }],
        };
        _state = new AppState(config.Name);
        _app = new AppModel(config, "/etc/valet/conf/userauth.json", "rev1", _state);

        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Path = "/userauth/v1/users/42";
        var headers = context.Request.Headers;
        headers.Host = "gateway.example";
        headers.UserAgent = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
        headers.Accept = "application/json, text/plain, */*";
        headers.AcceptEncoding = "gzip, deflate, br";
        headers.AcceptLanguage = "en-GB,en;q=0.9";
        headers.Connection = "keep-alive";
        headers.Cookie = "session=8f14e45fceea167a5a36dedd4bea2543; theme=dark";
        headers.Referer = "https://app.example/orders";
        headers["traceparent"] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        headers[AppConfig.DefaultAuthHeader] = config.AuthKey;
        if (headers.Count != 10) throw new InvalidOperationException("ten headers expected");
        _request = context.Request;
        context.Request.Scheme = "http";
        RequestTarget.Parse("/userauth/v1/users/42", out var target);
        _gateway = new GatewayRequest(_app, target, "b7ad6b7169203331", new RequestRecord(0, "b7ad6b7169203331", new AppTraffic(config.Name)));

        _reused = new HttpRequestMessage(HttpMethod.Get, Target);
        HttpForwarder.CopyRequestHeaders(_request, _reused, _app);
        // traceparent is the gateway's to set (AddGatewayHeaders), so the copy drops the client's.
        if (_reused.Headers.Contains("Connection") || _reused.Headers.Contains(AppConfig.DefaultAuthHeader) || _reused.Headers.Contains("traceparent")
            || !_reused.Headers.Contains("User-Agent"))
        {
            throw new InvalidOperationException("the copy must drop hop-by-hop, key and gateway-set headers and keep the rest");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _state.Invoker.Dispose();

    /// <summary>The upstream message alone, for reference: the copy's cost is the difference.</summary>
    [Benchmark(Baseline = true)]
    public HttpRequestMessage NewMessage() => new(HttpMethod.Get, Target);

    /// <summary>A new upstream message per request, then the copy: what ForwardAsync does.</summary>
    [Benchmark]
    public HttpRequestMessage NewMessageAndCopy()
    {
        var upstream = new HttpRequestMessage(HttpMethod.Get, Target);
        HttpForwarder.CopyRequestHeaders(_request, upstream, _app);
        return upstream;
    }

    /// <summary>
    /// Valet's own HTTP/1.1 client: the whole request head (request line, Host, the ten headers
    /// filtered the same way, X-Forwarded-*, X-Request-Id, traceparent) written as bytes into the
    /// buffer the connection keeps. The traceparent string is made once per request record (cached
    /// here, as the record is reused).
    /// </summary>
    [Benchmark]
    public int OwnClientHead()
    {
        Http1Exchange.WriteHead(_head, _request.HttpContext, _gateway, _app.Endpoints[0], "127.0.0.1:9000", span: null);
        return _head.Written.Length;
    }

    /// <summary>The copy into a message whose header store already exists (cleared each time).</summary>
    [Benchmark]
    public HttpRequestMessage CopyIntoClearedMessage()
    {
        _reused.Headers.Clear();
        HttpForwarder.CopyRequestHeaders(_request, _reused, _app);
        return _reused;
    }
}
