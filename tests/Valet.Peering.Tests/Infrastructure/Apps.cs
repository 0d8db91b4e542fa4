namespace Valet.Peering.Tests.Infrastructure;

/// <summary>App files used by the cluster tests (mock-only, so no backend is needed).</summary>
public static class Apps
{
    public static Dictionary<string, object?> Limited(string name, int limit, string? partitionPolicy = null)
    {
        var app = new Dictionary<string, object?>
        {
            ["name"] = name,
            ["rateLimit"] = true,
            ["limitValue"] = limit,
            ["limitPeriod"] = 60,
            ["mocks"] = new[] { new { path = "/*", status = 200, body = "ok" } },
        };
        if (partitionPolicy is not null) app["partitionPolicy"] = partitionPolicy;
        return app;
    }
}
