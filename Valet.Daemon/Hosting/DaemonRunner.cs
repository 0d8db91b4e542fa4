using Microsoft.AspNetCore.Builder;
using Valet.Core.Configuration;
using Valet.Daemon.Admin;

namespace Valet.Daemon.Hosting;

/// <summary>Runs the daemon: first load (fails loudly, exit 78), listeners, then serve until stopped.</summary>
public static partial class DaemonRunner
{
    /// <summary>EX_CONFIG from sysexits.h: the configuration is wrong.</summary>
    public const int ExitConfig = 78;

    public static async Task<int> RunAsync(ValetOptions options, TextWriter stderr, CancellationToken cancellationToken)
    {
        options = AdminAccess.Resolve(options, out var refusal);
        if (refusal is null && options.PeerToken is { } peerToken && string.IsNullOrWhiteSpace(peerToken))
        {
            // A blank token would let anyone sending "Bearer " in; no token at all is an explicit choice.
            refusal = "the peer token is empty (is --peer-token-file / VALET_PEER_TOKEN_FILE an empty file?); give the cluster's token, or no token at all";
        }

        if (refusal is not null)
        {
            await stderr.WriteLineAsync($"valet: {refusal}; not starting").ConfigureAwait(false);
            return ExitConfig;
        }

        var app = GatewayHost.Build(options);
        await using (app.ConfigureAwait(false))
        {
            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Valet");
            var config = app.Services.GetRequiredService<ConfigManager>();
            var load = config.LoadInitial();
            if (!load.Succeeded)
            {
                var errors = load.AllErrors.ToList();
                await stderr.WriteLineAsync($"valet: {errors.Count} error(s) in {config.Directory}; not starting:").ConfigureAwait(false);
                foreach (var error in errors) await stderr.WriteLineAsync(error.ToString()).ConfigureAwait(false);
                return ExitConfig;
            }

            foreach (var model in config.Current.Apps.OrderBy(a => a.Name, StringComparer.Ordinal))
            {
                var targets = model.Aggregate is { } aggregate
                    ? $"aggregate of {string.Join(", ", aggregate.Parts.Select(p => $"{p.Key}: {p.App}{p.Config.Path}"))}"
                    : model.Endpoints.Length == 0
                    ? $"mock only ({model.Mocks.Length} mocks)"
                    : string.Join(", ", model.Endpoints.Select(e => e.BaseAddress));
                LogApp(logger, model.Name, targets, Path.GetFileName(model.SourceFile));
            }

            LogLoaded(logger, config.Current.Count, config.Directory);
            using var sighup = SighupReload.Register(app.Services.GetRequiredService<AppFileStore>());
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            foreach (var address in GatewayHost.Addresses(app)) LogListening(logger, address);
            LogAdminListening(logger, GatewayHost.AdminAddress(app).ToString().TrimEnd('/'),
                string.IsNullOrEmpty(options.AdminToken) ? "no token" : "bearer token required");
            LogObservability(logger, options.AccessLog.ToString().ToLowerInvariant(),
                options.OtlpEndpoint is { } otlp ? $"OTLP export to {otlp}" : "no OTLP export");
            var peering = app.Services.GetService<Valet.Peering.PeeringNode>();
            using var systemd = new Systemd.SystemdStatus(config, app.Services.GetRequiredService<Systemd.SystemdNotifier>(),
                peering is null ? null : () => Valet.Peering.Membership.PeerStatusJson.Summary(peering.Peers()));
            systemd.Started();
            await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        }
    }

    [LoggerMessage(1, LogLevel.Information, "App {App} -> {Targets} (from {File})")]
    private static partial void LogApp(ILogger logger, string app, string targets, string file);

    [LoggerMessage(2, LogLevel.Information, "Loaded {Count} app(s) from {Directory}")]
    private static partial void LogLoaded(ILogger logger, int count, string directory);

    [LoggerMessage(3, LogLevel.Information, "Valet listening on {Address}")]
    private static partial void LogListening(ILogger logger, string address);

    [LoggerMessage(4, LogLevel.Information, "Valet admin API listening on {Address} ({Access})")]
    private static partial void LogAdminListening(ILogger logger, string address, string access);

    [LoggerMessage(5, LogLevel.Information, "Access log: {Format}; metrics on the admin API's /metrics; {Export}")]
    private static partial void LogObservability(ILogger logger, string format, string export);
}
