using Valet.Core.Configuration;
using Valet.Core.LoadBalancing;
using Valet.Core.Tests.TestSupport;

namespace Valet.Core.Tests.Configuration;

public sealed class ConfigManagerTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private readonly TempFolder _folder = new();
    private readonly AppStateRegistry _states = new();
    private readonly ConfigManager _manager;

    public ConfigManagerTests() => _manager = new ConfigManager(_folder.Path, _states, new FixedTimeProvider(Now));

    public void Dispose() => _folder.Dispose();

    private static string App(string name, string description = "", params int[] ports)
    {
        var endpoints = string.Join(", ", (ports.Length == 0 ? new[] { 8080 } : ports).Select(p => $$"""{ "host": "{{name}}.example", "port": {{p}} }"""));
        return $$"""{ "name": "{{name}}", "description": "{{description}}", "endpoints": [ {{endpoints}} ] }""";
    }

    // A half-written file: an editor or a copy still in progress.
    private static string Truncated(string name) => App(name)[..20];

    private static AppChange Change(LoadReport report, string app) => report.Changes.Should().ContainSingle(c => c.App == app).Subject;

    [Fact]
    public void LoadInitial_ValidFolder_AppliesEveryApp()
    {
        _folder.Write("a.json", App("a"));
        _folder.Write("b.json", App("b"));

        var load = _manager.LoadInitial();

        load.Succeeded.Should().BeTrue();
        _manager.Current.Apps.Select(a => a.Name).Should().BeEquivalentTo("a", "b");
        _manager.LastReport!.Changes.Should().OnlyContain(c => c.Kind == AppChangeKind.Added);
        _manager.LastReport.At.Should().Be(Now);
        _manager.LastReport.Summary().Should().Be("ok: 2 added");
        _manager.Current.TryGetApp("a", out var a).Should().BeTrue();
        a.SourceFile.Should().Be(_folder.Combine("a.json"));
    }

    [Fact]
    public void LoadInitial_OneInvalidFile_AppliesNothing()
    {
        _folder.Write("a.json", App("a"));
        _folder.Write("b.json", Truncated("b"));
        LoadReport? raised = null;
        _manager.Loaded += r => raised = r;

        var load = _manager.LoadInitial();

        load.Succeeded.Should().BeFalse();
        load.AllErrors.Should().ContainSingle().Which.File.Should().Be("b.json");
        _manager.Current.Count.Should().Be(0);
        _manager.LastReport.Should().BeNull();
        raised.Should().BeNull();
        _states.TryGet("a", out _).Should().BeFalse();
    }

    [Fact]
    public void Reload_UnchangedFile_KeepsSameModelInstance()
    {
        _folder.Write("a.json", App("a"));
        _manager.LoadInitial();
        _manager.Current.TryGetApp("a", out var before);

        var report = _manager.Reload();

        _manager.Current.TryGetApp("a", out var after).Should().BeTrue();
        after.Should().BeSameAs(before);
        var change = Change(report, "a");
        change.Should().Match<AppChange>(c => c.Kind == AppChangeKind.Unchanged && c.File == "a.json" && !c.StillServing);
        change.Errors.Should().BeEmpty();
        report.Ok.Should().BeTrue();
        report.Summary().Should().Be("ok: 1 unchanged");
    }

    [Fact]
    public void Reload_EditedFile_ReportsUpdatedAndServesNewConfig()
    {
        _folder.Write("a.json", App("a", "v1"));
        _manager.LoadInitial();
        _manager.Current.TryGetApp("a", out var before);
        _folder.Write("a.json", App("a", "v2"));

        var report = _manager.Reload();

        Change(report, "a").Kind.Should().Be(AppChangeKind.Updated);
        _manager.Current.TryGetApp("a", out var after);
        after.Should().NotBeSameAs(before);
        after.Config.Description.Should().Be("v2");
        after.Revision.Should().NotBe(before.Revision);
        before.Config.Description.Should().Be("v1", "a snapshot taken before the reload is never modified");
    }

    [Fact]
    public void Reload_NewFile_ReportsAddedAndKeepsOthers()
    {
        _folder.Write("a.json", App("a"));
        _manager.LoadInitial();
        _manager.Current.TryGetApp("a", out var a);
        _folder.Write("b.json", App("b"));

        var report = _manager.Reload();

        Change(report, "b").Should().Match<AppChange>(c => c.Kind == AppChangeKind.Added && c.File == "b.json");
        Change(report, "a").Kind.Should().Be(AppChangeKind.Unchanged);
        _manager.Current.TryGetApp("b", out _).Should().BeTrue();
        _manager.Current.TryGetApp("a", out var aAfter);
        aAfter.Should().BeSameAs(a);
    }

    [Fact]
    public void Reload_DeletedFile_ReportsRemovedAndForgetsState()
    {
        _folder.Write("a.json", App("a"));
        _folder.Write("b.json", App("b"));
        _manager.LoadInitial();
        _folder.Delete("b.json");

        var report = _manager.Reload();

        Change(report, "b").Should().Match<AppChange>(c => c.Kind == AppChangeKind.Removed && c.File == "b.json");
        _manager.Current.TryGetApp("b", out _).Should().BeFalse();
        _manager.Current.Count.Should().Be(1);
        _states.TryGet("b", out _).Should().BeFalse();
        _states.TryGet("a", out _).Should().BeTrue();
    }

    [Fact]
    public void Reload_FileBecomesInvalid_FailsAndOldConfigKeepsServing()
    {
        _folder.Write("a.json", App("a"));
        _folder.Write("b.json", App("b", "v1"));
        _manager.LoadInitial();
        _manager.Current.TryGetApp("b", out var lastGood);
        _folder.Write("b.json", Truncated("b"));

        var report = _manager.Reload();

        var change = Change(report, "b");
        change.Kind.Should().Be(AppChangeKind.Failed);
        change.StillServing.Should().BeTrue();
        change.File.Should().Be("b.json");
        change.Errors.Should().ContainSingle().Which.Message.Should().StartWith("invalid JSON: ");
        _manager.Current.TryGetApp("b", out var serving).Should().BeTrue();
        serving.Should().BeSameAs(lastGood);
        Change(report, "a").Kind.Should().Be(AppChangeKind.Unchanged);
        report.Ok.Should().BeFalse();
        report.Summary().Should().Be("failed: 1 unchanged, 1 failed");
    }

    [Fact]
    public void Reload_FileStaysInvalid_LastGoodConfigKeepsServing()
    {
        _folder.Write("a.json", App("a"));
        _manager.LoadInitial();
        _manager.Current.TryGetApp("a", out var lastGood);
        _folder.Write("a.json", Truncated("a"));
        _manager.Reload();

        var report = _manager.Reload();

        Change(report, "a").Should().Match<AppChange>(c => c.Kind == AppChangeKind.Failed && c.StillServing);
        _manager.Current.TryGetApp("a", out var serving);
        serving.Should().BeSameAs(lastGood);
    }

    [Fact]
    public void Reload_InvalidFileFixed_ReportsUpdated()
    {
        _folder.Write("a.json", App("a", "v1"));
        _manager.LoadInitial();
        _folder.Write("a.json", Truncated("a"));
        _manager.Reload();
        _folder.Write("a.json", App("a", "v2"));

        var report = _manager.Reload();

        Change(report, "a").Kind.Should().Be(AppChangeKind.Updated);
        _manager.Current.TryGetApp("a", out var app);
        app.Config.Description.Should().Be("v2");
    }

    [Fact]
    public void Reload_NewInvalidFile_FailsWithoutStillServing()
    {
        _folder.Write("a.json", App("a"));
        _manager.LoadInitial();
        _folder.Write("b.json", Truncated("b"));

        var report = _manager.Reload();

        var change = report.Changes.Should().ContainSingle(c => c.File == "b.json").Subject;
        change.Kind.Should().Be(AppChangeKind.Failed);
        change.StillServing.Should().BeFalse();
        change.App.Should().Be("b.json", "the file failed before naming an app");
        change.Errors.Should().NotBeEmpty();
        _manager.Current.Apps.Select(a => a.Name).Should().Equal("a");
    }

    [Fact]
    public void Reload_NewFileReusesServingAppName_OriginalFileKeepsServing()
    {
        _folder.Write("orders.json", App("orders", "original"));
        _manager.LoadInitial();
        _manager.Current.TryGetApp("orders", out var original);
        // Sorts before orders.json, so without ownership it would claim the name first.
        _folder.Write("0-copy.json", App("orders", "copy"));

        var report = _manager.Reload();

        _manager.Current.TryGetApp("orders", out var serving);
        serving.Should().BeSameAs(original);
        serving.Config.Description.Should().Be("original");
        Change(report, "orders").Kind.Should().Be(AppChangeKind.Unchanged);
        var failed = report.Changes.Should().ContainSingle(c => c.File == "0-copy.json").Subject;
        failed.Kind.Should().Be(AppChangeKind.Failed);
        failed.Errors.Should().Equal(new ConfigError("0-copy.json", 0, 0, "$.name",
            "app name \"orders\" is already used by orders.json; app names must be unique across files"));
    }

    [Fact]
    public void Reload_ServingFileBrokenWhileAnotherFileTakesItsName_LastGoodKeepsServing()
    {
        _folder.Write("a.json", App("orders", "original"));
        _manager.LoadInitial();
        _manager.Current.TryGetApp("orders", out var lastGood);
        _folder.Write("a.json", Truncated("orders"));
        _folder.Write("b.json", App("orders", "intruder"));

        var report = _manager.Reload();

        _manager.Current.TryGetApp("orders", out var serving);
        serving.Should().BeSameAs(lastGood);
        Change(report, "orders").Should().Match<AppChange>(c => c.File == "a.json" && c.Kind == AppChangeKind.Failed && c.StillServing);
        var intruder = report.Changes.Should().ContainSingle(c => c.File == "b.json").Subject;
        intruder.Kind.Should().Be(AppChangeKind.Failed);
        intruder.StillServing.Should().BeFalse();
        intruder.Errors.Should().Equal(new ConfigError("b.json", 0, 0, "$.name",
            "app name \"orders\" is already used by a.json; app names must be unique across files"));
    }

    [Fact]
    public void Reload_FileRenamesItsAppWhileAnotherTakesTheOldName_BothApply()
    {
        _folder.Write("b.json", App("orders", "original"));
        _manager.LoadInitial();
        _folder.Write("b.json", App("orders-v1"));
        _folder.Write("a.json", App("orders", "successor"));

        var report = _manager.Reload();

        report.Ok.Should().BeTrue();
        Change(report, "orders").Should().Match<AppChange>(c => c.File == "a.json" && c.Kind == AppChangeKind.Updated);
        Change(report, "orders-v1").Kind.Should().Be(AppChangeKind.Added);
        _manager.Current.TryGetApp("orders", out var orders);
        orders.Config.Description.Should().Be("successor");
    }

    [Fact]
    public void Reload_FileRenamesItsApp_OldNameRemovedNewNameAdded()
    {
        _folder.Write("a.json", App("old-name"));
        _manager.LoadInitial();
        _folder.Write("a.json", App("new-name"));

        var report = _manager.Reload();

        Change(report, "old-name").Kind.Should().Be(AppChangeKind.Removed);
        Change(report, "new-name").Kind.Should().Be(AppChangeKind.Added);
        _manager.Current.Apps.Select(a => a.Name).Should().Equal("new-name");
    }

    [Fact]
    public void Reload_FolderDeleted_ReportsFolderErrorAndKeepsEveryApp()
    {
        _folder.Write("a.json", App("a"));
        _manager.LoadInitial();
        var before = _manager.Current;
        Directory.Delete(_folder.Path, recursive: true);

        var report = _manager.Reload();

        report.Ok.Should().BeFalse();
        report.FolderErrors.Should().ContainSingle().Which.Message.Should().Contain("does not exist");
        report.Changes.Should().BeEmpty();
        _manager.Current.Should().BeSameAs(before);
    }

    [Fact]
    public void Reload_UpdatedAppWithSameEndpoint_KeepsAppAndEndpointState()
    {
        _folder.Write("a.json", App("a", "v1", 8080, 8081));
        _manager.LoadInitial();
        _manager.Current.TryGetApp("a", out var before);
        before.Endpoints[0].State.MarkUnhealthy(untilTicks: 12345);
        before.Endpoints[1].State.Enter();
        _folder.Write("a.json", App("a", "v2", 8080, 8081));

        var report = _manager.Reload();

        Change(report, "a").Kind.Should().Be(AppChangeKind.Updated);
        _manager.Current.TryGetApp("a", out var after);
        after.Should().NotBeSameAs(before);
        after.State.Should().BeSameAs(before.State);
        after.Endpoints[0].Should().NotBeSameAs(before.Endpoints[0]);
        after.Endpoints[0].State.Should().BeSameAs(before.Endpoints[0].State);
        after.Endpoints[0].State.UnhealthyUntilTicks.Should().Be(12345);
        after.Endpoints[1].State.Should().BeSameAs(before.Endpoints[1].State);
        after.Endpoints[1].State.InFlight.Should().Be(1);
    }

    [Fact]
    public void Reload_EndpointChanged_ChangedEndpointGetsFreshState()
    {
        _folder.Write("a.json", App("a", "", 8080, 8081));
        _manager.LoadInitial();
        _manager.Current.TryGetApp("a", out var before);
        before.Endpoints[0].State.MarkUnhealthy(untilTicks: 111);
        before.Endpoints[1].State.MarkUnhealthy(untilTicks: 222);
        _folder.Write("a.json", App("a", "", 8080, 9090));

        _manager.Reload();

        _manager.Current.TryGetApp("a", out var after);
        after.Endpoints[0].State.Should().BeSameAs(before.Endpoints[0].State);
        after.Endpoints[1].State.Should().NotBeSameAs(before.Endpoints[1].State);
        after.Endpoints[1].State.UnhealthyUntilTicks.Should().Be(0);
    }

    [Fact]
    public void Reload_RaisesLoadedWithTheReport()
    {
        _folder.Write("a.json", App("a"));
        _manager.LoadInitial();
        var raised = new List<LoadReport>();
        _manager.Loaded += raised.Add;

        var report = _manager.Reload();

        raised.Should().ContainSingle().Which.Should().BeSameAs(report);
        _manager.LastReport.Should().BeSameAs(report);
    }
}
