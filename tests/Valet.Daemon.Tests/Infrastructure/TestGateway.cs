using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Valet.Core.Configuration;
using Valet.Daemon.Hosting;

namespace Valet.Daemon.Tests.Infrastructure;

/// <summary>A real Valet gateway in-process on 127.0.0.1, over a temporary conf folder.</summary>
public sealed class TestGateway : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestGateway(WebApplication app, TempFolder conf, Uri address, Uri? h2c)
    {
        _app = app;
        Conf = conf;
        Address = address;
        H2cAddress = h2c;
        Client = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = address };
        AdminAddress = GatewayHost.AdminAddress(app);
        Admin = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = AdminAddress };
        var token = app.Services.GetRequiredService<ValetOptions>().AdminToken;
        if (token is not null) Admin.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
    }

    public TempFolder Conf { get; }

    public Uri Address { get; }

    public Uri? H2cAddress { get; }

    /// <summary>The HTTPS listener, when started with <c>https: true</c>.</summary>
    public Uri? HttpsAddress { get; private init; }

    public HttpClient Client { get; }

    /// <summary>The admin listener (127.0.0.1, ephemeral port).</summary>
    public Uri AdminAddress { get; }

    /// <summary>A client of the admin API, carrying the admin token when there is one.</summary>
    public HttpClient Admin { get; }

    public ConfigManager Config => _app.Services.GetRequiredService<ConfigManager>();

    public IServiceProvider Services => _app.Services;

    public static async Task<TestGateway> StartAsync(IEnumerable<object> apps, TimeSpan? cooldown = null, bool h2c = false, Action<TempFolder>? prepare = null,
        string? adminToken = null, TimeProvider? time = null,
        int maxAggregatePartsInFlight = 1024, bool https = false,
        Valet.Core.Diagnostics.AccessLog.AccessLogFormat accessLog = Valet.Core.Diagnostics.AccessLog.AccessLogFormat.Json, Stream? accessLogOutput = null,
        Uri? otlpEndpoint = null, Action<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerLimits>? limits = null,
        System.Net.Security.RemoteCertificateValidationCallback? upstreamCertificateValidation = null, CapturedLogs? logs = null,
        Valet.Core.Pipeline.UpstreamClient upstreamClient = Valet.Core.Pipeline.UpstreamClient.Valet)
    {
        var conf = new TempFolder();
        prepare?.Invoke(conf);
        foreach (var app in apps)
        {
            var json = JsonSerializer.Serialize(app);
            var name = JsonDocument.Parse(json).RootElement.GetProperty("name").GetString();
            conf.Write($"{name}.json", json);
        }

        var options = new ValetOptions
        {
            ConfDirectory = conf.Path,
            Port = 0,
            H2cPort = h2c ? 0 : null,
            HttpsPort = https ? 0 : null,
            Bind = IPAddress.Loopback,
            HandleSignals = false,
            HealthCooldown = cooldown ?? TimeSpan.FromSeconds(10),
            AdminPort = 0,
            AdminToken = adminToken,
            MaxAggregatePartsInFlight = maxAggregatePartsInFlight,
            TuneLimits = limits,
            // Every test request goes through the access log's formatting; only tests that read it keep the lines.
            AccessLog = accessLog,
            AccessLogOutput = accessLogOutput ?? Stream.Null,
            OtlpEndpoint = otlpEndpoint,
            UpstreamCertificateValidation = upstreamCertificateValidation,
            UpstreamClient = upstreamClient,
        };
        var app2 = GatewayHost.Build(options, time, logging: l =>
        {
            if (logs is null)
            {
                l.SetMinimumLevel(LogLevel.Warning);
                return;
            }

            l.SetMinimumLevel(LogLevel.Information);
            l.AddProvider(logs);
        });
        var load = app2.Services.GetRequiredService<ConfigManager>().LoadInitial();
        if (!load.Succeeded) throw new InvalidOperationException("test conf invalid: " + string.Join("; ", load.AllErrors));
        await app2.StartAsync();
        var all = GatewayHost.Addresses(app2).Select(a => new Uri(a)).ToList();
        var addresses = all.Where(a => a.Scheme == "http").ToList();
        return new TestGateway(app2, conf, addresses[0], addresses.Count > 1 ? addresses[1] : null)
        {
            HttpsAddress = all.FirstOrDefault(a => a.Scheme == "https"),
        };
    }

    /// <summary>Sends a GET with the given headers.</summary>
    public Task<HttpResponseMessage> GetAsync(string path, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        return Client.SendAsync(request);
    }

    /// <summary>Rewrites one app file and reloads.</summary>
    public LoadReport Rewrite(object app)
    {
        var json = JsonSerializer.Serialize(app);
        var name = JsonDocument.Parse(json).RootElement.GetProperty("name").GetString();
        Conf.Write($"{name}.json", json);
        return Config.Reload();
    }

    /// <summary>An app forwarding to the given backends' ports on 127.0.0.1.</summary>
    public static Dictionary<string, object?> App(string name, params TestBackend[] backends) => new()
    {
        ["name"] = name,
        ["endpoints"] = backends.Select(b => new { host = "127.0.0.1", path = "", port = b.Port }).ToArray(),
    };

    /// <summary>A mock-only app answering <c>GET /{name}/</c> with <paramref name="text"/>.</summary>
    public static Dictionary<string, object?> MockApp(string name, string text = "hi", string description = "") => new()
    {
        ["name"] = name,
        ["description"] = description,
        ["mocks"] = new[] { new { method = "GET", path = "/", body = text } },
    };

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Admin.Dispose();
        await _app.DisposeAsync();
        Conf.Dispose();
    }
}
