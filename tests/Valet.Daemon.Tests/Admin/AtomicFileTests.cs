using System.Text;
using Valet.Daemon.Admin;
using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Admin;

/// <summary>Requirement 3: an app file is replaced whole or not at all.</summary>
public sealed class AtomicFileTests
{
    [Fact]
    public void Write_OverExistingFile_NewBytesWhole_NoTemporaryLeft()
    {
        using var folder = new TempFolder();
        var path = folder.Write("svc.json", "old content that is longer than the new one");

        AtomicFile.Write(path, "new"u8);

        File.ReadAllText(path).Should().Be("new");
        Directory.GetFiles(folder.Path).Should().Equal(path);
    }

    [Fact]
    public void Write_RenameImpossible_Throws_TargetUntouched_NoTemporaryLeft()
    {
        using var folder = new TempFolder();
        var target = Path.Combine(folder.Path, "svc.json");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "inside"), "kept");

        var write = () => AtomicFile.Write(target, Encoding.UTF8.GetBytes("{}"));

        write.Should().Throw<IOException>();
        File.ReadAllText(Path.Combine(target, "inside")).Should().Be("kept");
        Directory.GetFiles(folder.Path).Should().BeEmpty();
    }

    [Fact]
    public void TemporaryFile_SameFolder_NameTheLoaderSkips()
    {
        // A reload racing a PUT, or one after a crash mid-PUT, never reads the temporary file.
        var temporary = AtomicFile.TemporaryPath("/etc/valet/conf/svc.json");

        Path.GetDirectoryName(temporary).Should().Be("/etc/valet/conf");
        Valet.Core.Configuration.AppDirectoryLoader.IsAppFileName(Path.GetFileName(temporary)).Should().BeFalse();
    }
}
