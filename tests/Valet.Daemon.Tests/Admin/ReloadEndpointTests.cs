using System.Net;
using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Admin;

/// <summary>Requirements 5 and 8 (half-written files): POST /reload.</summary>
public sealed class ReloadEndpointTests
{
    [Fact]
    public async Task Reload_EveryKindOfChange_ReportedPerApp_FailedKeepsLastGood()
    {
        await using var gateway = await TestGateway.StartAsync([
            TestGateway.MockApp("same", "same"),
            TestGateway.MockApp("edited", "v1"),
            TestGateway.MockApp("gone", "gone"),
            TestGateway.MockApp("broken", "last good"),
        ]);
        gateway.Conf.Write("edited.json", JsonAnswers.MockApp("edited", "v2"));
        File.Delete(Path.Combine(gateway.Conf.Path, "gone.json"));
        gateway.Conf.Write("fresh.json", JsonAnswers.MockApp("fresh", "fresh"));
        gateway.Conf.Write("broken.json", "{ \"name\": \"broken\", \"mocks\": [ { \"path\": 42 } ], \"colour\": 1 }");

        using var response = await gateway.Admin.PostAsync("/reload", null);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var report = await response.JsonAsync();
        report.GetProperty("ok").GetBoolean().Should().BeFalse();
        var apps = report.GetProperty("apps").EnumerateArray().ToDictionary(a => a.GetProperty("name").GetString()!);
        apps.Keys.Should().BeEquivalentTo("same", "edited", "gone", "fresh", "broken");
        apps["same"].GetProperty("status").GetString().Should().Be("unchanged");
        apps["edited"].GetProperty("status").GetString().Should().Be("updated");
        apps["gone"].GetProperty("status").GetString().Should().Be("removed");
        apps["fresh"].GetProperty("status").GetString().Should().Be("added");
        var broken = apps["broken"];
        broken.GetProperty("status").GetString().Should().Be("failed");
        broken.GetProperty("stillServing").GetBoolean().Should().BeTrue();
        broken.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("path").GetString())
            .Should().BeEquivalentTo("$.colour", "$.mocks[0].path");

        (await gateway.Client.GetStringAsync("/same/")).Should().Be("same");
        (await gateway.Client.GetStringAsync("/edited/")).Should().Be("v2");
        (await gateway.Client.GetAsync("/gone/")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await gateway.Client.GetStringAsync("/fresh/")).Should().Be("fresh");
        (await gateway.Client.GetStringAsync("/broken/")).Should().Be("last good");
    }

    [Fact]
    public async Task Reload_AllValid_OkTrue()
    {
        await using var gateway = await TestGateway.StartAsync([TestGateway.MockApp("svc")]);

        using var response = await gateway.Admin.PostAsync("/reload", null);

        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        var report = await response.JsonAsync();
        report.GetProperty("ok").GetBoolean().Should().BeTrue();
        report.GetProperty("summary").GetString().Should().Be("ok: 1 unchanged");
        report.GetProperty("apps").EnumerateArray().Single().GetProperty("status").GetString().Should().Be("unchanged");
    }

    [Fact]
    public async Task Reload_HalfWrittenFileOfServingApp_FailedAndStillServing()
    {
        var full = JsonAnswers.MockApp("svc", "complete");
        await using var gateway = await TestGateway.StartAsync([], prepare: conf => conf.Write("svc.json", full));
        gateway.Conf.Write("svc.json", full[..(full.Length / 2)]);

        var report = await (await gateway.Admin.PostAsync("/reload", null)).JsonAsync();

        var svc = report.GetProperty("apps").EnumerateArray().Single();
        svc.GetProperty("status").GetString().Should().Be("failed");
        svc.GetProperty("stillServing").GetBoolean().Should().BeTrue();
        svc.GetProperty("errors")[0].GetProperty("message").GetString().Should().StartWith("invalid JSON");
        (await gateway.Client.GetStringAsync("/svc/")).Should().Be("complete");
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("{ \"name\": \"late\", \"mo")]
    public async Task Reload_HalfWrittenNewFile_FailedNeverAnEmptyApp(string content)
    {
        await using var gateway = await TestGateway.StartAsync([TestGateway.MockApp("svc")]);
        gateway.Conf.Write("late.json", content);

        var report = await (await gateway.Admin.PostAsync("/reload", null)).JsonAsync();

        report.GetProperty("ok").GetBoolean().Should().BeFalse();
        var late = report.GetProperty("apps").EnumerateArray().Single(a => a.GetProperty("file").GetString() == "late.json");
        late.GetProperty("status").GetString().Should().Be("failed");
        late.GetProperty("stillServing").GetBoolean().Should().BeFalse();
        gateway.Config.Current.Apps.Select(a => a.Name).Should().Equal("svc");
        (await gateway.Client.GetAsync("/late/")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Reload_LeftoverTemporaryFileOfAnInterruptedPut_Ignored()
    {
        await using var gateway = await TestGateway.StartAsync([TestGateway.MockApp("svc", "old")]);
        gateway.Conf.Write(".svc.json.0123abcd.tmp", "{ \"name\": \"svc\", \"mo");

        var report = await (await gateway.Admin.PostAsync("/reload", null)).JsonAsync();

        report.GetProperty("ok").GetBoolean().Should().BeTrue();
        (await gateway.Client.GetStringAsync("/svc/")).Should().Be("old");
    }

    [Fact]
    public async Task Reload_ConfFolderGone_OkFalseWithFolderError_AppsKeepServing()
    {
        await using var gateway = await TestGateway.StartAsync([TestGateway.MockApp("svc")]);
        Directory.Delete(gateway.Conf.Path, recursive: true);

        var report = await (await gateway.Admin.PostAsync("/reload", null)).JsonAsync();

        report.GetProperty("ok").GetBoolean().Should().BeFalse();
        report.GetProperty("folderErrors")[0].GetProperty("message").GetString().Should().Contain("does not exist");
        (await gateway.Client.GetStringAsync("/svc/")).Should().Be("hi");
        Directory.CreateDirectory(gateway.Conf.Path);
    }
}
