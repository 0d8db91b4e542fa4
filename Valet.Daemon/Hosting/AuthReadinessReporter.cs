using Microsoft.Extensions.Hosting;
using Valet.Core.Configuration;
using Valet.Core.Routing;

namespace Valet.Daemon.Hosting;

/// <summary>
/// Reports apps whose authenticator could not get ready (an OIDC provider unreachable at start or
/// after a reload): such an app answers 503 and keeps retrying, while every other app serves.
/// The log says which app failed and why.
/// </summary>
public sealed partial class AuthReadinessReporter(ConfigManager config, ILogger<AuthReadinessReporter> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        config.Loaded += OnLoaded;
        Watch(config.Current.Apps);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        config.Loaded -= OnLoaded;
        return Task.CompletedTask;
    }

    private void OnLoaded(LoadReport report)
    {
        var table = config.Current;
        var changed = new List<AppModel>();
        foreach (var change in report.Changes)
        {
            if (change.Kind is AppChangeKind.Added or AppChangeKind.Updated && table.TryGetApp(change.App, out var app)) changed.Add(app);
        }

        Watch(changed);
    }

    private void Watch(IEnumerable<AppModel> apps)
    {
        foreach (var app in apps)
        {
            if (app.Authenticator is not { } authenticator || authenticator.WarmUp.IsCompletedSuccessfully && authenticator.Status.Ready) continue;
            _ = authenticator.WarmUp.ContinueWith(_ =>
            {
                var status = authenticator.Status;
                if (!status.Ready) LogAuthFailed(logger, app.Name, authenticator.Type, status.Problem ?? "not ready");
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    [LoggerMessage(20, LogLevel.Error, "App {App} failed: {Type} auth is not ready ({Problem}); it answers 503 and retries while other apps serve")]
    private static partial void LogAuthFailed(ILogger logger, string app, string type, string problem);
}
