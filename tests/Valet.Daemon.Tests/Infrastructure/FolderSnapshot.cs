namespace Valet.Daemon.Tests.Infrastructure;

/// <summary>Every file of a folder (hidden ones too) with its bytes, to show that nothing changed on disk.</summary>
public sealed record FolderSnapshot(IReadOnlyDictionary<string, string> Files)
{
    public static FolderSnapshot Of(string folder) => new(
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(folder, f), f => Convert.ToBase64String(File.ReadAllBytes(f))));

    public void ShouldEqual(FolderSnapshot other)
    {
        other.Files.Keys.Should().BeEquivalentTo(Files.Keys);
        foreach (var (name, bytes) in Files) other.Files[name].Should().Be(bytes, $"{name} must not change");
    }
}
