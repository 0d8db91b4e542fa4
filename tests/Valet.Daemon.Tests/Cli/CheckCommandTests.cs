using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Cli;

/// <summary>Requirement 10: <c>valet check</c>.</summary>
public sealed class CheckCommandTests
{
    [Fact]
    public async Task Check_AllValid_Exit0()
    {
        using var conf = new TempFolder();
        conf.Write("a.json", JsonAnswers.MockApp("a", "x"));
        conf.Write("b.json", JsonAnswers.MockApp("b", "x"));
        await using var valet = DaemonProcess.Start("check", "--conf", conf.Path);

        (await valet.WaitForExitAsync()).Should().Be(0);
        valet.Stdout.Should().Contain($"valet check: 2 app file(s) in {conf.Path} are valid: a, b");
    }

    [Fact]
    public async Task Check_SampleConf_Exit0()
    {
        await using var valet = DaemonProcess.Start("check", "--conf", Path.Combine(RepoRoot.Find(), "conf"));

        (await valet.WaitForExitAsync()).Should().Be(0, valet.Stdout + valet.Stderr);
        valet.Stdout.Should().Contain("are valid: dashboard, hello");
    }

    [Fact]
    public async Task Check_Errors_EveryErrorAsFileLineColPathMessage_Exit1()
    {
        using var conf = new TempFolder();
        conf.Write("good.json", JsonAnswers.MockApp("good", "x"));
        conf.Write("bad.json", """
            {
              "name": "Bad",
              "endpoints": [ { "host": "a.example", "port": 0 } ],
              "colour": "blue"
            }
            """);
        conf.Write("half.json", "{ \"name\": \"half\", \"endpoints\": [");
        await using var valet = DaemonProcess.Start("check", "--conf", conf.Path);

        (await valet.WaitForExitAsync()).Should().Be(1);
        var lines = valet.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var bad = Path.Join(conf.Path, "bad.json");
        lines.Should().Contain($"{bad}:2:11: $.name: 'name' is \"Bad\"; use 1 to 63 lower-case letters, digits, '-' or '_', starting with a letter or digit (it is the first path segment: /{{name}}/...)");
        lines.Should().Contain(l => l.StartsWith($"{bad}:3:", StringComparison.Ordinal) && l.Contains(": $.endpoints[0].port: 'port' is 0; it must be from 1 to 65535"));
        lines.Should().Contain(l => l.StartsWith($"{bad}:4:3: $.colour: unknown field 'colour'", StringComparison.Ordinal));
        lines.Should().Contain(l => l.StartsWith($"{Path.Join(conf.Path, "half.json")}:1:", StringComparison.Ordinal) && l.Contains("invalid JSON"));
        lines.Should().NotContain(l => l.Contains("good.json"));
        lines[^1].Should().Be($"valet check: 4 error(s) in 2 of 3 app file(s) in {conf.Path}");
    }

    [Fact]
    public async Task Check_DuplicateNamesAcrossFiles_Exit1()
    {
        using var conf = new TempFolder();
        conf.Write("a.json", JsonAnswers.MockApp("same", "x"));
        conf.Write("b.json", JsonAnswers.MockApp("same", "y"));
        await using var valet = DaemonProcess.Start("check", "--conf", conf.Path);

        (await valet.WaitForExitAsync()).Should().Be(1);
        valet.Stdout.Should().Contain("b.json:0:0: $.name: app name \"same\" is already used by a.json");
    }

    [Fact]
    public async Task Check_MissingFolder_Exit1()
    {
        await using var valet = DaemonProcess.Start("check", "--conf", "/nonexistent/valet-conf");

        (await valet.WaitForExitAsync()).Should().Be(1);
        valet.Stdout.Should().Contain("/nonexistent/valet-conf").And.Contain("does not exist");
    }

    [Fact]
    public async Task Check_ConfFromEnvironment()
    {
        using var conf = new TempFolder();
        conf.Write("bad.json", "{ }");
        await using var valet = DaemonProcess.Start(["check"], new Dictionary<string, string> { ["VALET_CONF"] = conf.Path });

        (await valet.WaitForExitAsync()).Should().Be(1);
        valet.Stdout.Should().Contain("bad.json:1:1: $: missing required field 'name'");
    }
}
