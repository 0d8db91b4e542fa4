using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Valet.Core.Configuration;
using Valet.Core.RateLimiting;
using Valet.Daemon.Hosting;
using Valet.Peering;

namespace Valet.Peering.Tests.Infrastructure;

/// <summary>One real Valet node in-process: public listener and peer listener on 127.0.0.1.</summary>
public sealed class ClusterNode : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ClusterNode(WebApplication app, ValetOptions options, Uri publicAddress)
    {
        _app = app;
        Options = options;
        PublicAddress = publicAddress;
        Client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = publicAddress };
    }

    public ValetOptions Options { get; }

    public string NodeId => Options.NodeId;

    public Uri PublicAddress { get; }

    /// <summary>The node's admin API (no token in these tests).</summary>
    public Uri AdminAddress => GatewayHost.AdminAddress(_app);

    public Uri PeerAddress => new($"http://127.0.0.1:{Options.PeerPort}/");

    public HttpClient Client { get; }

    public PeeringNode Peering => _app.Services.GetRequiredService<PeeringNode>();

    public ICounterStore Store => _app.Services.GetRequiredService<ICounterStore>();

    public static async Task<ClusterNode> StartAsync(ValetOptions options, IEnumerable<object> apps, TempFolder conf)
    {
        foreach (var app in apps)
        {
            var json = JsonSerializer.Serialize(app);
            var name = JsonDocument.Parse(json).RootElement.GetProperty("name").GetString();
            conf.Write($"{name}.json", json);
        }

        var host = GatewayHost.Build(options with { ConfDirectory = conf.Path }, logging: l => l.SetMinimumLevel(LogLevel.Warning));
        var load = host.Services.GetRequiredService<ConfigManager>().LoadInitial();
        if (!load.Succeeded) throw new InvalidOperationException("test conf invalid: " + string.Join("; ", load.AllErrors));
        await host.StartAsync();
        var address = new Uri(GatewayHost.Addresses(host).First());
        return new ClusterNode(host, options, address);
    }

    /// <summary>Requests in the current window of <paramref name="app"/>'s whole-app budget, as this node counts them.</summary>
    public long Used(string app, int period = 60)
    {
        var window = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / period;
        return Store.Read(new CounterKey(app, "*", period, window));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.DisposeAsync();
    }
}
