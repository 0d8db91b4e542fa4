using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Valet.Core.Aggregation;
using Valet.Core.Configuration;
using Valet.Core.Diagnostics.Metrics;
using Valet.Core.Diagnostics.Traffic;
using Valet.Core.Forwarding;
using Valet.Core.LoadBalancing;
using Valet.Core.Mocking;
using Valet.Core.Pipeline;
using Valet.Core.RateLimiting;
using Valet.Daemon.Admin;
using Valet.Peering;
using Valet.Peering.Server;

namespace Valet.Daemon.Hosting;

/// <summary>Builds the daemon's web host: listeners, services and the one request pipeline.</summary>
public static class GatewayHost
{
    public static WebApplication Build(ValetOptions options, TimeProvider? time = null, Action<ILoggingBuilder>? logging = null)
    {
        var peering = options.ToPeeringOptions();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        if (logging is null) ConfigureConsoleLogging(builder.Logging);
        else logging(builder.Logging);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // Hosting's request logger only writes per-request lines; while it is enabled at any level,
        // hosting opens an Activity and a log scope for every request (a measurable cost per request).
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
        builder.Logging.AddFilter("System.Net.Http", LogLevel.Warning);

        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            kestrel.AddServerHeader = false;
            // Endpoints' header values pass through byte for byte: both upstream clients read them
            // as Latin-1 and Kestrel writes them back the same way (its default, ASCII only, turns
            // an answer with one such header into a bare 500).
            kestrel.ResponseHeaderEncodingSelector = static _ => System.Text.Encoding.Latin1;
            // Per-app body limits are the gateway's business; Kestrel's global 30 MB cap would cut uploads.
            kestrel.Limits.MaxRequestBodySize = null;
            options.TuneLimits?.Invoke(kestrel.Limits);
            // Without TLS there is no ALPN, so one port cannot offer both protocols: the public port
            // speaks HTTP/1.1, and an optional second port speaks HTTP/2 by prior knowledge (h2c).
            Listen(kestrel, options.Bind, options.Port, HttpProtocols.Http1);
            if (options.H2cPort is { } h2c) Listen(kestrel, options.Bind, h2c, HttpProtocols.Http2);
            if (options.HttpsPort is { } https)
            {
                var selector = kestrel.ApplicationServices.GetRequiredService<SniCertificateSelector>();
                Listen(kestrel, options.Bind, https, HttpProtocols.Http1AndHttp2, tls => tls.ServerCertificateSelector = selector.Select);
            }

            if (peering is not null)
            {
                // gRPC gets its own listener: HTTP/2 only (h2c), or TLS with ALPN.
                var certificate = options.PeerCertificate is { } cert && options.PeerKey is { } key ? PeerListener.LoadCertificate(cert, key) : null;
                if (options.Bind is null) kestrel.ListenAnyIP(options.PeerPort, l => PeerListener.Configure(l, certificate));
                else kestrel.Listen(options.Bind, options.PeerPort, l => PeerListener.Configure(l, certificate));
            }
        });

        var services = builder.Services;
        // Registered after Kestrel's socket transport, so Kestrel picks it for every IP endpoint.
        if (options.Io == IoEngine.Loops && Valet.Core.Networking.EventLoop.IsSupported)
        {
            services.AddSingleton<Microsoft.AspNetCore.Connections.IConnectionListenerFactory, Transport.LoopTransportFactory>();
        }

        services.AddSingleton(time ?? TimeProvider.System);
        services.AddSingleton(options);
        services.AddSingleton(new GatewayOptions
        {
            HealthCooldown = options.HealthCooldown,
            MaxAggregatePartsInFlight = options.MaxAggregatePartsInFlight,
            HttpsPort = options.HttpsPort,
            UpstreamClient = options.UpstreamClient,
            EventLoops = options.Io == IoEngine.Loops,
        });
        services.AddSingleton<SniCertificateSelector>();
        services.AddSingleton(new AppStateRegistry(options.UpstreamCertificateValidation));
        services.AddSingleton(sp => new ConfigManager(options.ConfDirectory, sp.GetRequiredService<AppStateRegistry>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<LocalCounterStore>();
        if (peering is null)
        {
            services.AddSingleton<ICounterStore>(sp => sp.GetRequiredService<LocalCounterStore>());
        }
        else
        {
            // A cluster: counts are shared with the peers (Valet.Peering implements Core's seam).
            services.AddSingleton(sp => new PeeringNode(peering, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>()));
            services.AddSingleton<ICounterStore>(sp => sp.GetRequiredService<PeeringNode>().Store);
            services.AddHostedService<PeeringHostedService>();
        }

        services.AddSingleton<WindowRateLimiter>();
        services.AddSingleton<GatewayMetrics>();
        services.AddSingleton<TrafficRegistry>();
        services.AddSingleton(sp => OtlpExport.CreateAccessLog(options, sp.GetRequiredService<GatewayMetrics>()));
        if (options.OtlpEndpoint is { } otlp)
        {
            services.AddSingleton(sp => OtlpExport.Start(otlp, options, MetricMeters(sp).Select(m => m.Name).Distinct()));
        }

        services.AddSingleton(sp => new RequestObserver(sp.GetRequiredService<GatewayMetrics>(), sp.GetRequiredService<TrafficRegistry>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<AccessLogHolder>().Writer));
        services.AddSingleton(sp => new PrometheusExporter(MetricMeters(sp)));
        services.AddHostedService<CounterSweeper>();
        services.AddHostedService<AuthReadinessReporter>();
        services.AddSingleton<WebSocketTunnel>();
        services.AddSingleton<HttpForwarder>();
        services.AddSingleton<UpstreamDispatcher>();
        services.AddSingleton<MockResponder>();
        services.AddSingleton<AggregateResponder>();
        services.AddSingleton<GatewayMiddleware>();
        AdminHost.Add(builder, options);
        services.AddSingleton(_ => Systemd.SystemdNotifier.FromEnvironment());
        services.AddHostedService<Systemd.SystemdWatchdog>();
        services.Configure<Microsoft.Extensions.Hosting.HostOptions>(host => host.ShutdownTimeout = options.ShutdownTimeout);
        if (options.HandleSignals) services.AddSingleton<Microsoft.Extensions.Hosting.IHostLifetime, Systemd.ServiceLifetime>();

        var app = builder.Build();

        // Metrics first: they count every config load, the first one included.
        app.Services.GetRequiredService<GatewayMetrics>();
        app.Services.GetRequiredService<PrometheusExporter>();
        app.Services.GetService<OtlpExport>();
        AdminHost.Map(app);
        if (options.HttpsPort == 0)
        {
            // Port 0 picks a free port: redirects need the one bound.
            app.Lifetime.ApplicationStarted.Register(() => app.Services.GetRequiredService<GatewayOptions>().HttpsPort =
                Addresses(app).Select(a => new Uri(a)).FirstOrDefault(u => u.Scheme == "https")?.Port);
        }

        var gateway = app.Services.GetRequiredService<GatewayMiddleware>();
        if (peering is not null)
        {
            var node = app.Services.GetRequiredService<PeeringNode>();
            app.MapWhen(PeerListener.IsPeerConnection, peer => peer.Run(node.Handler.InvokeAsync));
        }

        app.Run(gateway.InvokeAsync);
        return app;
    }

    /// <summary>The meters <c>GET /metrics</c> and the OTLP exporter read: the gateway's, and peering's in a cluster.</summary>
    internal static System.Diagnostics.Metrics.Meter[] MetricMeters(IServiceProvider services)
    {
        var gateway = services.GetRequiredService<GatewayMetrics>().Meter;
        return services.GetService<PeeringNode>() is { } node ? [gateway, node.Metrics.Meter] : [gateway];
    }

    private static void Listen(KestrelServerOptions kestrel, System.Net.IPAddress? bind, int port, HttpProtocols protocols,
        Action<Microsoft.AspNetCore.Server.Kestrel.Https.HttpsConnectionAdapterOptions>? tls = null)
    {
        void Configure(ListenOptions l)
        {
            l.Protocols = protocols;
            if (tls is not null) l.UseHttps(tls);
        }

        if (bind is null) kestrel.ListenAnyIP(port, Configure);
        else kestrel.Listen(bind, port, Configure);
    }

    /// <summary>The addresses the public listeners are bound to (after start); the admin and peer listeners' are not among them.</summary>
    public static IReadOnlyCollection<string> Addresses(WebApplication app)
    {
        var adminPort = app.Services.GetRequiredService<AdminListener>().Port;
        var options = app.Services.GetRequiredService<ValetOptions>();
        var peerPort = options.Peers.Count > 0 ? options.PeerPort : -1;
        var all = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        return all.Where(a => new Uri(a).Port is var port && port != adminPort && port != peerPort).ToArray();
    }

    /// <summary>The admin listener's address (after start).</summary>
    public static Uri AdminAddress(WebApplication app) => app.Services.GetRequiredService<AdminListener>().Address;

    private static void ConfigureConsoleLogging(ILoggingBuilder logging)
    {
        // Under systemd, stdout goes to the journal: priorities as <N> prefixes, no timestamps.
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("JOURNAL_STREAM")))
        {
            logging.AddConsole(console => console.FormatterName = Systemd.JournalFormatter.FormatterName);
            logging.AddConsoleFormatter<Systemd.JournalFormatter, Microsoft.Extensions.Logging.Console.ConsoleFormatterOptions>();
            return;
        }

        logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            console.UseUtcTimestamp = true;
            console.ColorBehavior = Microsoft.Extensions.Logging.Console.LoggerColorBehavior.Disabled;
        });
    }
}
