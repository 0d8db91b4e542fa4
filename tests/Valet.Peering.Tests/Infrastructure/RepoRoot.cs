namespace Valet.Peering.Tests.Infrastructure;

/// <summary>The repository's root folder (where Valet.sln is).</summary>
public static class RepoRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Valet.sln"))) return dir.FullName;
        }

        throw new InvalidOperationException("Valet.sln not found above " + AppContext.BaseDirectory);
    }
}
