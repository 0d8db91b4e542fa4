using System.Net;
using Valet.Daemon.Hosting;

namespace Valet.Peering.Tests.Infrastructure;

/// <summary>
/// An in-process cluster of real nodes on 127.0.0.1, each listing every other as a peer. Peer
/// addresses can be routed through a <see cref="TcpRelay"/> (to cut links), and a node can be
/// stopped and started again with the same id and ports (restart catch-up).
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    private readonly List<ClusterNode?> _nodes = [];
    private readonly List<ValetOptions> _options = [];
    private readonly List<TempFolder> _confs = [];
    private readonly List<TcpRelay> _relays = [];
    private readonly IReadOnlyList<object> _apps;

    private TestCluster(IReadOnlyList<object> apps) => _apps = apps;

    public ClusterNode this[int index] => _nodes[index] ?? throw new InvalidOperationException($"node {index} is stopped");

    public int Count => _nodes.Count;

    /// <summary>The relay that carries node <paramref name="from"/>'s link to node <paramref name="to"/> (when relayed).</summary>
    public TcpRelay Relay(int from, int to) => _relays.Single(r => r.Name == $"{from}->{to}");

    public static async Task<TestCluster> StartAsync(int nodes, IReadOnlyList<object> apps, string? token = null, bool relayed = false,
        Func<PeeringOptions, PeeringOptions>? tune = null, string nodeIdPrefix = "node-")
    {
        var cluster = new TestCluster(apps);
        var ports = Enumerable.Range(0, nodes).Select(_ => FreePort.Next()).ToArray();
        for (var i = 0; i < nodes; i++)
        {
            var peers = new List<Uri>();
            for (var j = 0; j < nodes; j++)
            {
                if (j == i) continue;
                var target = new IPEndPoint(IPAddress.Loopback, ports[j]);
                if (relayed)
                {
                    var relay = TcpRelay.Start($"{i}->{j}", target);
                    cluster._relays.Add(relay);
                    peers.Add(new Uri($"http://127.0.0.1:{relay.Port}/"));
                }
                else
                {
                    peers.Add(new Uri($"http://127.0.0.1:{ports[j]}/"));
                }
            }

            cluster._options.Add(new ValetOptions
            {
                Port = 0,
                Bind = IPAddress.Loopback,
                AdminPort = 0,
                HandleSignals = false,
                NodeId = $"{nodeIdPrefix}{i}",
                Peers = peers,
                PeerPort = ports[i],
                PeerToken = token,
                TunePeering = tune,
                AccessLogOutput = Stream.Null,
            });
            cluster._confs.Add(new TempFolder());
            cluster._nodes.Add(null);
        }

        await Task.WhenAll(Enumerable.Range(0, nodes).Select(cluster.StartNodeAsync));
        return cluster;
    }

    public async Task StartNodeAsync(int index) =>
        _nodes[index] = await ClusterNode.StartAsync(_options[index], _apps, _confs[index]);

    public async Task StopNodeAsync(int index)
    {
        if (_nodes[index] is { } node) await node.DisposeAsync();
        _nodes[index] = null;
    }

    /// <summary>Waits until every running node sees every other running node up.</summary>
    public Task AllUpAsync() => Eventually.Until(
        () => _nodes.Where(n => n is not null).All(n => n!.Peering.Membership.Peers.Where(p => p.Address is not null).All(p => p.Health == Valet.Peering.Membership.PeerHealth.Up && p.NodeId is not null)
                && n.Peering.Membership.Peers.All(p => p.Address is not null)),
        "every node sees its peers up");

    public async ValueTask DisposeAsync()
    {
        for (var i = 0; i < _nodes.Count; i++) await StopNodeAsync(i);
        foreach (var relay in _relays) relay.Dispose();
        foreach (var conf in _confs) conf.Dispose();
    }
}
