using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Systemd;

public sealed class InstallScriptTests
{
    [Fact]
    public async Task InstallTwiceThenUninstall_InThrowawayRoot_IdempotentAndKeepsAppFiles()
    {
        var repo = RepoRoot.Find();
        using var root = new TempFolder();
        var env = new Dictionary<string, string> { ["DESTDIR"] = root.Path };

        var first = await Shell.RunAsync("bash", [Path.Combine(repo, "scripts", "install.sh")], env);
        first.ExitCode.Should().Be(0, first.Stderr);
        var token = await File.ReadAllTextAsync(Path.Combine(root.Path, "etc/valet/credentials/admin-token"));
        File.WriteAllText(Path.Combine(root.Path, "etc/valet/conf.d/mine.json"), "{\"name\":\"mine\",\"mocks\":[{\"path\":\"/\"}]}");
        File.WriteAllText(Path.Combine(root.Path, "etc/default/valet"), "VALET_PORT=9000\n");

        var second = await Shell.RunAsync("bash", [Path.Combine(repo, "scripts", "install.sh")], env);
        second.ExitCode.Should().Be(0, second.Stderr);

        File.Exists(Path.Combine(root.Path, "usr/lib/valet/valet.dll")).Should().BeTrue();
        new FileInfo(Path.Combine(root.Path, "usr/bin/valet")).LinkTarget.Should().Be("/usr/lib/valet/valet");
        File.Exists(Path.Combine(root.Path, "lib/systemd/system/valet.service")).Should().BeTrue();
        (await File.ReadAllTextAsync(Path.Combine(root.Path, "etc/valet/credentials/admin-token"))).Should().Be(token).And.MatchRegex("^[0-9a-f]{64}$", "a 32-byte random token in hex");
        File.GetUnixFileMode(Path.Combine(root.Path, "etc/valet/credentials")).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        (await File.ReadAllTextAsync(Path.Combine(root.Path, "etc/default/valet"))).Should().Be("VALET_PORT=9000\n");
        Directory.GetFiles(Path.Combine(root.Path, "etc/valet/conf.d"), "*.json").Select(Path.GetFileName).Should().Contain(["hello.json", "mine.json"]);

        var check = await Shell.RunAsync(Path.Combine(root.Path, "usr/lib/valet/valet"), ["--help"]);
        check.ExitCode.Should().Be(0);

        var removed = await Shell.RunAsync("bash", [Path.Combine(repo, "scripts", "uninstall.sh")], env);
        removed.ExitCode.Should().Be(0, removed.Stderr);
        Directory.Exists(Path.Combine(root.Path, "usr/lib/valet")).Should().BeFalse();
        File.Exists(Path.Combine(root.Path, "usr/bin/valet")).Should().BeFalse();
        File.Exists(Path.Combine(root.Path, "lib/systemd/system/valet.service")).Should().BeFalse();
        File.Exists(Path.Combine(root.Path, "etc/valet/conf.d/mine.json")).Should().BeTrue("app files are never deleted");
        File.Exists(Path.Combine(root.Path, "etc/default/valet")).Should().BeTrue();
    }
}
