using Valet.Core.Configuration;
using Valet.Core.Tests.TestSupport;

namespace Valet.Core.Tests.Configuration;

public sealed class AppDirectoryLoaderTests
{
    private static string App(string name) =>
        $$"""{ "name": "{{name}}", "endpoints": [ { "host": "{{name}}.example", "port": 8080 } ] }""";

    // Content that would fail to parse, so a file that is wrongly read shows up as an error.
    private const string Broken = "{ \"name\": ";

    [Fact]
    public void Load_FolderWithLeftovers_ReadsOnlyAppFiles()
    {
        using var folder = new TempFolder();
        folder.Write("a.json", App("a"));
        folder.Write("b.json", App("b"));
        folder.Write("notes.txt", Broken);
        folder.Write("a.yaml", Broken);
        folder.Write(".hidden.json", Broken);
        folder.Write("a.json~", Broken);
        folder.Write(".a.json.swp", Broken);
        folder.Write("#a.json#", Broken);
        folder.Write(".#a.json", Broken);
        folder.Write("a.json.bak", Broken);
        folder.Write("app.schema.json", """{ "$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object" }""");
        folder.Write("sub/c.json", App("c"));
        Directory.CreateDirectory(folder.Combine("folder.json"));

        var load = AppDirectoryLoader.Load(folder.Path);

        load.Succeeded.Should().BeTrue();
        load.AllErrors.Should().BeEmpty();
        load.Files.Select(f => f.FileName).Should().Equal("a.json", "b.json");
        load.Files.Select(f => f.Config!.Name).Should().Equal("a", "b");
        load.Files[0].Path.Should().Be(folder.Combine("a.json"));
        load.Directory.Should().Be(folder.Path);
    }

    [Theory]
    [InlineData("users.json", true)]
    [InlineData("my-app.v2.json", true)]
    [InlineData(".users.json", false)]
    [InlineData("users.json~", false)]
    [InlineData(".users.json.swp", false)]
    [InlineData("#users.json#", false)]
    [InlineData("#users.json", false)]
    [InlineData("app.schema.json", false)]
    [InlineData("users.JSON", false)]
    [InlineData("users.txt", false)]
    public void IsAppFileName_ClassifiesNames(string fileName, bool expected)
    {
        AppDirectoryLoader.IsAppFileName(fileName).Should().Be(expected);
    }

    [Fact]
    public void Load_MissingFolder_GivesOneClearError()
    {
        using var parent = new TempFolder();
        var missing = parent.Combine("conf");

        var load = AppDirectoryLoader.Load(missing);

        load.Succeeded.Should().BeFalse();
        load.Files.Should().BeEmpty();
        load.FolderErrors.Should().Equal(
            new ConfigError(missing, 0, 0, "$", $"the conf folder {missing} does not exist; create it or pass --conf DIR"));
        load.AllErrors.Should().HaveCount(1);
    }

    [Fact]
    public void Load_EmptyFolder_SucceedsWithNoFiles()
    {
        using var folder = new TempFolder();

        var load = AppDirectoryLoader.Load(folder.Path);

        load.Succeeded.Should().BeTrue();
        load.Files.Should().BeEmpty();
    }

    [Fact]
    public void Load_FilesAreReadInOrdinalOrder()
    {
        using var folder = new TempFolder();
        folder.Write("b.json", App("b"));
        folder.Write("B.json", App("upper-b"));
        folder.Write("a.json", App("a"));

        var load = AppDirectoryLoader.Load(folder.Path);

        load.Files.Select(f => f.FileName).Should().Equal("B.json", "a.json", "b.json");
    }

    [Fact]
    public void Load_DuplicateNames_FirstFileKeepsTheNameAndOthersFail()
    {
        using var folder = new TempFolder();
        folder.Write("a.json", App("api1"));
        folder.Write("b.json", App("api1"));
        folder.Write("c.json", App("api1"));
        folder.Write("d.json", App("api2"));

        var load = AppDirectoryLoader.Load(folder.Path);

        load.Files.Select(f => f.Config?.Name).Should().Equal("api1", null, null, "api2");
        load.AllErrors.Should().Equal(
            new ConfigError("b.json", 0, 0, "$.name", "app name \"api1\" is already used by a.json; app names must be unique across files"),
            new ConfigError("c.json", 0, 0, "$.name", "app name \"api1\" is already used by a.json; app names must be unique across files"));
    }

    [Fact]
    public void Load_DuplicateNames_FileThatServesTheNameKeepsIt()
    {
        using var folder = new TempFolder();
        folder.Write("0-new.json", App("api1"));
        var owner = folder.Write("orders.json", App("api1"));

        var load = AppDirectoryLoader.Load(folder.Path, new Dictionary<string, string> { ["api1"] = owner });

        load.Files.Select(f => (f.FileName, f.Config?.Name)).Should().Equal(("0-new.json", null), ("orders.json", "api1"));
        load.AllErrors.Should().Equal(
            new ConfigError("0-new.json", 0, 0, "$.name", "app name \"api1\" is already used by orders.json; app names must be unique across files"));
    }

    [Fact]
    public void Load_OneInvalidFile_OtherFilesStillLoad()
    {
        using var folder = new TempFolder();
        folder.Write("a.json", App("a"));
        folder.Write("b.json", Broken);

        var load = AppDirectoryLoader.Load(folder.Path);

        load.Succeeded.Should().BeFalse();
        load.Files[0].Succeeded.Should().BeTrue();
        load.Files[1].Succeeded.Should().BeFalse();
        load.AllErrors.Should().ContainSingle().Which.File.Should().Be("b.json");
    }

    [Fact]
    public void Load_FileOverSizeLimit_IsRefusedUnread()
    {
        using var folder = new TempFolder();
        var size = AppDirectoryLoader.MaxFileBytes + 1;
        folder.Write("big.json", new string(' ', size));

        var load = AppDirectoryLoader.Load(folder.Path);

        load.AllErrors.Should().Equal(
            new ConfigError("big.json", 0, 0, "$", $"the file is {size} bytes; an app file may have at most {AppDirectoryLoader.MaxFileBytes}"));
    }

    [Fact]
    public void Revision_SameBytes_SameRevision_DifferentBytes_Different()
    {
        var a = AppDirectoryLoader.Revision("{ \"name\": \"a\" }"u8);
        var again = AppDirectoryLoader.Revision("{ \"name\": \"a\" }"u8);
        var b = AppDirectoryLoader.Revision("{ \"name\": \"b\" }"u8);

        a.Should().Be(again).And.HaveLength(16).And.MatchRegex("^[0-9a-f]{16}$");
        b.Should().NotBe(a);
    }
}
