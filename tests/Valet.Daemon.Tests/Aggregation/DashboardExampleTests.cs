using System.Net;
using Valet.Daemon.Tests.Infrastructure;
using static Valet.Daemon.Tests.Aggregation.Aggregates;

namespace Valet.Daemon.Tests.Aggregation;

public sealed class DashboardExampleTests
{
    [Fact]
    public async Task SampleDashboard_OverTheSampleMockApp_AnswersWithNoBackendRunning()
    {
        var repoConf = Path.Combine(RepoRoot.Find(), "conf");
        await using var gateway = await TestGateway.StartAsync([], prepare: conf =>
        {
            foreach (var file in new[] { "hello.json", "dashboard.json" }) File.Copy(Path.Combine(repoConf, file), Path.Combine(conf.Path, file));
        });

        using var response = await gateway.Client.GetAsync("/dashboard/");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        Header(response, "X-Valet-Completed").Should().Be("true");
        var json = await JsonAsync(response);
        MemberNames(json).Should().Equal("greeting", "users", "echo", "_meta");
        json.GetProperty("greeting").GetProperty("message").GetString().Should().Be("Hello from Valet");
        json.GetProperty("users").GetArrayLength().Should().Be(2);
        json.GetProperty("echo").GetString().Should().Be("created\n");
        json.GetProperty("_meta").GetProperty("echo").GetProperty("status").GetInt32().Should().Be(201);
    }
}
