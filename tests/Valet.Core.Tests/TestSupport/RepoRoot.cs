namespace Valet.Core.Tests.TestSupport;

/// <summary>The repository checkout the tests run from: the folder holding <c>Valet.sln</c>.</summary>
public static class RepoRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Valet.sln"))) return dir.FullName;
        }

        throw new InvalidOperationException($"no folder above {AppContext.BaseDirectory} holds Valet.sln");
    }
}
