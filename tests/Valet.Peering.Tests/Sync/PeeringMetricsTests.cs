using System.Globalization;
using System.Text.RegularExpressions;
using Valet.Peering.Tests.Infrastructure;

namespace Valet.Peering.Tests.Sync;

/// <summary>Issue 9: peer sync figures on the admin API's <c>GET /metrics</c> (peers by state, messages, bytes, lag histogram).</summary>
public sealed partial class PeeringMetricsTests
{
    private static double Sample(string text, string series)
    {
        var match = Regex.Match(text, "^" + Regex.Escape(series) + " (\\S+)$", RegexOptions.Multiline);
        match.Success.Should().BeTrue($"the exposition has {series}:\n{text}");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    /// <summary>The value, or -1 while the series is not there yet.</summary>
    private static double SampleOrNone(string text, string series)
    {
        var match = Regex.Match(text, "^" + Regex.Escape(series) + " (\\S+)$", RegexOptions.Multiline);
        return match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : -1;
    }

    [Fact]
    public async Task TwoNodes_PeerUp_MessagesBothWays_LagMeasured_PeerDownWhenStopped()
    {
        await using var cluster = await TestCluster.StartAsync(2, [Apps.Limited("api", 100)]);
        await cluster.AllUpAsync();
        using var admin = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = cluster[0].AdminAddress };

        (await cluster[1].Client.GetAsync("/api/x")).Dispose();
        await Eventually.Until(() => cluster[0].Used("api") == 1, "node 0 merged node 1's count");
        await Eventually.Until(async () => SampleOrNone(await admin.GetStringAsync("/metrics"), "valet_peering_sync_lag_seconds_count") >= 1,
            "node 0 measured the lag of node 1's batch");
        var text = await admin.GetStringAsync("/metrics");

        Sample(text, "valet_peering_peers{state=\"up\"}").Should().Be(1);
        Sample(text, "valet_peering_peers{state=\"down\"}").Should().Be(0);
        Sample(text, "valet_peering_messages_total{direction=\"in\"}").Should().BeGreaterThan(0);
        Sample(text, "valet_peering_messages_total{direction=\"out\"}").Should().BeGreaterThan(0);
        Sample(text, "valet_peering_traffic_bytes_total{direction=\"in\"}").Should().BeGreaterThan(0);
        Sample(text, "valet_peering_sync_lag_seconds_bucket{le=\"+Inf\"}").Should().Be(Sample(text, "valet_peering_sync_lag_seconds_count"));
        Sample(text, "valet_peering_updates_merged_total").Should().BeGreaterThan(0);
        text.Should().Contain("# TYPE valet_peering_sync_lag_seconds histogram\n");

        await cluster.StopNodeAsync(1);
        await Eventually.Until(async () => SampleOrNone(await admin.GetStringAsync("/metrics"), "valet_peering_peers{state=\"down\"}") == 1,
            "node 0 counts node 1 down");
    }
}
