namespace Valet.Daemon.Tests.Infrastructure;

/// <summary>The repository's root: the nearest folder above the test binaries holding Valet.sln.</summary>
public static class RepoRoot
{
    public static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Valet.sln"))) return dir.FullName;
        }

        throw new InvalidOperationException("Valet.sln not found above " + AppContext.BaseDirectory);
    }
}
