using Valet.Core.Configuration;
using Valet.Core.LoadBalancing;
using Valet.Core.Tests.TestSupport;

namespace Valet.Core.Tests.Aggregation;

/// <summary>
/// The check across files, made where the route table is compiled: an aggregate's parts must name
/// served apps that are not aggregates. At start-up an error stops everything; at reload the
/// aggregate fails and its last good version keeps serving.
/// </summary>
public sealed class AggregateReferenceTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private readonly TempFolder _folder = new();
    private readonly AppStateRegistry _states = new();
    private readonly ConfigManager _manager;

    public AggregateReferenceTests() => _manager = new ConfigManager(_folder.Path, _states, new FixedTimeProvider(Now));

    public void Dispose() => _folder.Dispose();

    private static string App(string name, string methods = "") =>
        $$"""{ "name": "{{name}}", {{methods}} "endpoints": [ { "host": "{{name}}.example", "port": 8080 } ] }""";

    private static string Aggregate(string name, params string[] apps) =>
        $$"""{ "name": "{{name}}", "aggregate": { "parts": [ {{string.Join(", ", apps.Select((a, i) => $$"""{ "key": "p{{i}}", "app": "{{a}}", "path": "/" }"""))}} ] } }""";

    private AppChange Change(LoadReport report, string app) => report.Changes.Should().ContainSingle(c => c.App == app).Subject;

    [Fact]
    public void LoadInitial_PartsNameServedApps_AggregateServed()
    {
        _folder.Write("a.json", App("a"));
        _folder.Write("b.json", App("b"));
        _folder.Write("dash.json", Aggregate("dash", "a", "b", "a"));

        var load = _manager.LoadInitial();

        load.Succeeded.Should().BeTrue();
        _manager.Current.TryGetApp("dash", out var dash).Should().BeTrue();
        dash.Aggregate!.Parts.Select(p => p.App).Should().Equal("a", "b", "a");
        dash.IsMockOnly.Should().BeFalse();
    }

    [Fact]
    public void LoadInitial_PartNamesMissingApp_NothingAppliedAndErrorNamesThePart()
    {
        _folder.Write("a.json", App("a"));
        _folder.Write("dash.json", Aggregate("dash", "a", "nope"));

        var load = _manager.LoadInitial();

        load.Succeeded.Should().BeFalse();
        load.AllErrors.Should().Equal(new ConfigError("dash.json", 0, 0, "$.aggregate.parts[1].app",
            "part 'p1' calls app \"nope\", which is not served; add that app or correct the name"));
        _manager.Current.Count.Should().Be(0);
    }

    [Fact]
    public void LoadInitial_PartNamesAnotherAggregate_Refused()
    {
        _folder.Write("a.json", App("a"));
        _folder.Write("inner.json", Aggregate("inner", "a"));
        _folder.Write("outer.json", Aggregate("outer", "inner"));

        var load = _manager.LoadInitial();

        load.AllErrors.Should().Equal(new ConfigError("outer.json", 0, 0, "$.aggregate.parts[0].app",
            "part 'p0' calls app \"inner\", which is an aggregate; parts call apps with endpoints or mocks (aggregates do not nest)"));
    }

    [Fact]
    public void LoadInitial_TwoAggregatesNamingEachOther_BothRefused()
    {
        _folder.Write("x.json", Aggregate("x", "y"));
        _folder.Write("y.json", Aggregate("y", "x"));

        var load = _manager.LoadInitial();

        load.AllErrors.Select(e => (e.File, e.Path)).Should().Equal(("x.json", "$.aggregate.parts[0].app"), ("y.json", "$.aggregate.parts[0].app"));
    }

    [Fact]
    public void LoadInitial_PartMethodNotAcceptedByItsApp_Refused()
    {
        _folder.Write("a.json", App("a", "\"methods\": [\"GET\"],"));
        _folder.Write("dash.json", """{ "name": "dash", "aggregate": { "parts": [ { "key": "k", "app": "a", "path": "/", "method": "POST" } ] } }""");

        var load = _manager.LoadInitial();

        load.AllErrors.Should().Equal(new ConfigError("dash.json", 0, 0, "$.aggregate.parts[0].method",
            "part 'k' uses POST, which app \"a\" does not accept (its methods: GET)"));
    }

    [Fact]
    public void Reload_PartAppRemoved_AggregateKeepsServingAndIsReportedFailed()
    {
        _folder.Write("a.json", App("a"));
        _folder.Write("dash.json", Aggregate("dash", "a"));
        _manager.LoadInitial();
        _manager.Current.TryGetApp("dash", out var before);

        _folder.Delete("a.json");
        var report = _manager.Reload();

        Change(report, "a").Kind.Should().Be(AppChangeKind.Removed);
        var dash = Change(report, "dash");
        (dash.Kind, dash.StillServing).Should().Be((AppChangeKind.Failed, true));
        dash.Errors.Should().ContainSingle().Which.Message.Should().Be("part 'p0' calls app \"a\", which is not served; add that app or correct the name");
        report.Ok.Should().BeFalse();
        _manager.Current.TryGetApp("dash", out var after).Should().BeTrue();
        after.Should().BeSameAs(before);
    }

    [Fact]
    public void Reload_AggregateChangedToMissingApp_LastGoodKeepsServing()
    {
        _folder.Write("a.json", App("a"));
        _folder.Write("dash.json", Aggregate("dash", "a"));
        _manager.LoadInitial();
        _manager.Current.TryGetApp("dash", out var lastGood);

        _folder.Write("dash.json", Aggregate("dash", "a", "typo"));
        var report = _manager.Reload();

        var dash = Change(report, "dash");
        (dash.Kind, dash.StillServing, dash.File).Should().Be((AppChangeKind.Failed, true, "dash.json"));
        dash.Errors.Single().Path.Should().Be("$.aggregate.parts[1].app");
        _manager.Current.TryGetApp("dash", out var serving).Should().BeTrue();
        serving.Should().BeSameAs(lastGood);
    }

    [Fact]
    public void Reload_NewAggregateNamingMissingApp_NotServed()
    {
        _folder.Write("a.json", App("a"));
        _manager.LoadInitial();

        _folder.Write("dash.json", Aggregate("dash", "missing"));
        var report = _manager.Reload();

        var dash = Change(report, "dash");
        (dash.Kind, dash.StillServing).Should().Be((AppChangeKind.Failed, false));
        _manager.Current.TryGetApp("dash", out _).Should().BeFalse();
        _states.TryGet("dash", out _).Should().BeFalse();
        report.Summary().Should().Be("failed: 1 unchanged, 1 failed");

        // Once the app appears, the same file is served.
        _folder.Write("missing.json", App("missing"));
        var next = _manager.Reload();

        Change(next, "dash").Kind.Should().Be(AppChangeKind.Added);
        _manager.Current.TryGetApp("dash", out _).Should().BeTrue();
    }

    [Fact]
    public void Reload_PartAppBecomesAnAggregate_AggregateReportedFailed()
    {
        _folder.Write("a.json", App("a"));
        _folder.Write("b.json", App("b"));
        _folder.Write("dash.json", Aggregate("dash", "b"));
        _manager.LoadInitial();

        _folder.Write("b.json", Aggregate("b", "a"));
        var report = _manager.Reload();

        Change(report, "b").Kind.Should().Be(AppChangeKind.Updated);
        var dash = Change(report, "dash");
        (dash.Kind, dash.StillServing).Should().Be((AppChangeKind.Failed, true));
        dash.Errors.Single().Message.Should().Contain("which is an aggregate");
    }
}
