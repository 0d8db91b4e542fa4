using Microsoft.Extensions.Hosting;
using Valet.Core.Configuration;
using Valet.Peering;

namespace Valet.Daemon.Hosting;

/// <summary>
/// Starts peering before the listeners open: links to every peer, then a bounded wait
/// (<see cref="PeeringOptions.StartupWait"/>) for their snapshots, so a restarted node takes traffic
/// only once it knows the cluster's counts. <see cref="PeeringNode.Ready"/> is the readiness signal
/// for the admin API's /ready.
/// </summary>
public sealed class PeeringHostedService(PeeringNode node, ConfigManager config) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        node.Store.IsKnownApp = app => config.Current.TryGetApp(app, out _);
        node.Start();
        await node.Ready.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await node.DisposeAsync().ConfigureAwait(false);
}
