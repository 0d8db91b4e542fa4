using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Systemd;

public sealed class ServiceUnitTests
{
    private static readonly string UnitPath = Path.Combine(RepoRoot.Find(), "valet.service");

    /// <summary>systemd-analyze checks that ExecStart exists, so the copy points it at a stand-in executable.</summary>
    private static async Task<Shell.Result> VerifyAsync(string unitText)
    {
        using var folder = new TempFolder();
        var stub = folder.Write("valet", "#!/bin/sh\nexit 0\n");
        File.SetUnixFileMode(stub, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var unit = folder.Write("valet.service", unitText.Replace("/usr/bin/valet", stub));
        return await Shell.RunAsync("systemd-analyze", ["verify", "--man=no", unit]);
    }

    [Fact]
    public async Task Unit_SystemdAnalyzeVerify_Passes()
    {
        var result = await VerifyAsync(await File.ReadAllTextAsync(UnitPath));

        (result.ExitCode, result.Stderr.Trim()).Should().Be((0, ""));
    }

    [Fact]
    public async Task Unit_WithAnError_IsCaughtByVerify()
    {
        var broken = (await File.ReadAllTextAsync(UnitPath)).Replace("Type=notify", "Type=notfy");

        var result = await VerifyAsync(broken);

        result.Stderr.Should().Contain("Failed to parse service type");
    }

    [Fact]
    public async Task Unit_HasTheRequiredDirectives()
    {
        var lines = (await File.ReadAllLinesAsync(UnitPath)).Select(l => l.Trim()).ToList();

        lines.Should().Contain(["Type=notify", "ExecReload=/bin/kill -HUP $MAINPID", "Restart=on-failure", "User=valet",
            "NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes", "ReadWritePaths=/etc/valet/conf.d",
            "AmbientCapabilities=CAP_NET_BIND_SERVICE", "CapabilityBoundingSet=CAP_NET_BIND_SERVICE", "EnvironmentFile=-/etc/default/valet"]);
        lines.Should().Contain(l => l.StartsWith("WatchdogSec="));
        lines.Should().Contain(l => l.StartsWith("LoadCredential=admin-token:"));
        lines.Should().Contain(l => l.StartsWith("LoadCredential=peer-token:"));
        lines.Single(l => l.StartsWith("ExecStart=")).Should().Contain("--conf /etc/valet/conf.d");
        var stop = TimeSpan.FromSeconds(int.Parse(lines.Single(l => l.StartsWith("TimeoutStopSec=")).Split('=')[1].TrimEnd('s')));
        stop.Should().BeGreaterThan(TimeSpan.FromSeconds(5 + 30), "longer than the drain delay plus the shutdown timeout");
    }
}
