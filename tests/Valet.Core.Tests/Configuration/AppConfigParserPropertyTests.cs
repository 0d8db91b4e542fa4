using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using Valet.Core.Configuration;
using Valet.Core.LoadBalancing;
using Valet.Core.Tests.TestSupport;

namespace Valet.Core.Tests.Configuration;

/// <summary>
/// Property tests of the app-file parser and validator: whatever bytes a file holds, the result is
/// a config or a list of errors that each say where and what, never an exception; what it accepts
/// compiles and loads; valid files are accepted with their values; a truncated file never is.
/// </summary>
[Trait("Category", "Reliability")]
public sealed class AppConfigParserPropertyTests(AppConfigParserPropertyTests.ConfFiles files) : IClassFixture<AppConfigParserPropertyTests.ConfFiles>
{
    /// <summary>A conf folder with the files generated bodyFile and publicKeyFile paths may name (made once: an RSA key takes a while).</summary>
    public sealed class ConfFiles : IDisposable
    {
        public ConfFiles()
        {
            Folder.Write("mocks/a.json", "{\"ok\":true}");
            using var rsa = RSA.Create(2048);
            Folder.Write("keys/public.pem", rsa.ExportSubjectPublicKeyInfoPem());
            Folder.Write("keys/private.pem", rsa.ExportPkcs8PrivateKeyPem());
            Folder.Write("keys/not-pem.pem", "not a key");
        }

        public TempFolder Folder { get; } = new();

        public void Dispose() => Folder.Dispose();
    }

    private string BasePath => files.Folder.Path;

    private AppParseResult Parse(byte[] bytes) => AppConfigParser.Parse("app.json", bytes, BasePath);

    /// <summary>A result is a config without errors, or errors (each with a place and a message) without a config.</summary>
    private static void ShouldBeWellFormed(AppParseResult result)
    {
        if (result.Succeeded)
        {
            result.Errors.Should().BeEmpty();
            return;
        }

        result.Config.Should().BeNull();
        result.Errors.Should().NotBeEmpty("a refused file says why");
        foreach (var error in result.Errors)
        {
            error.File.Should().Be("app.json");
            error.Line.Should().BeGreaterThanOrEqualTo(0);
            error.Column.Should().BeGreaterThanOrEqualTo(0);
            error.Path.Should().StartWith("$");
            error.Message.Should().NotBeNullOrWhiteSpace();
        }
    }

    [Fact]
    public void Parse_AnyBytes_ConfigOrErrorsNeverAnException()
    {
        Properties.Check(Prop.ForAll(AppFileGen.AnyFile.ToArbitrary(), bytes => ShouldBeWellFormed(Parse(bytes))), tests: 1000);
    }

    /// <summary>
    /// Parses <paramref name="text"/>; when it is accepted, loads and compiles it as the daemon would
    /// (a conf folder holding it): what the parser accepts loads without an error or an exception.
    /// Returns whether it was accepted.
    /// </summary>
    private bool ParseThenLoad(string text)
    {
        var result = Parse(Encoding.UTF8.GetBytes(text));
        ShouldBeWellFormed(result);
        if (!result.Succeeded || result.Config!.Auth?.Type == AuthType.Oidc) return result.Succeeded; // OIDC would fetch its provider when compiled

        using var folder = new TempFolder();
        folder.Write(result.Config.Name + ".json", text);
        foreach (var sub in new[] { "mocks", "keys" }) CopyFolder(Path.Combine(BasePath, sub), Path.Combine(folder.Path, sub));
        var load = new ConfigManager(folder.Path, new AppStateRegistry(), TimeProvider.System).LoadInitial();
        if (result.Config.Aggregate is null) load.Succeeded.Should().BeTrue(string.Join("; ", load.AllErrors));
        else foreach (var error in load.AllErrors) error.Message.Should().NotBeNullOrWhiteSpace("an aggregate may name apps that are not there");
        return true;
    }

    [Fact]
    public void Parse_AppShapedJson_ConfigOrErrors_AndWhatItAcceptsLoads()
    {
        Properties.Check(Prop.ForAll(AppFileGen.AppShaped.ToArbitrary(), text => { ParseThenLoad(text); }), tests: 1000);
    }

    [Fact]
    public void Parse_ValidApp_AcceptedWithItsValues()
    {
        Properties.Check(Prop.ForAll(AppFileGen.ValidApp.ToArbitrary(), app =>
        {
            var result = Parse(Encoding.UTF8.GetBytes(app.ToJsonString()));

            result.Errors.Should().BeEmpty(app.ToJsonString());
            var config = result.Config!;
            config.Name.Should().Be(app["name"]!.GetValue<string>());
            config.Description.Should().Be(app["description"]!.GetValue<string>());
            config.Endpoints.Should().HaveCount(app["endpoints"]?.AsArray().Count ?? 0);
            config.Mocks.Should().HaveCount(app["mocks"]?.AsArray().Count ?? 0);
            config.RateLimit.Should().Be(app.ContainsKey("rateLimit"));
            ParseThenLoad(app.ToJsonString()).Should().BeTrue();
        }), tests: 150);
    }

    [Fact]
    public void Parse_ValidAppTruncatedAnywhere_NeverAccepted()
    {
        var truncated = from app in AppFileGen.ValidApp
                        let text = app.ToJsonString()
                        from cut in Gen.Choose(0, text.Length - 1)
                        select text[..cut];

        Properties.Check(Prop.ForAll(truncated.ToArbitrary(), text =>
        {
            var result = Parse(Encoding.UTF8.GetBytes(text));
            result.Succeeded.Should().BeFalse("a file still being written is an error, never an app");
            ShouldBeWellFormed(result);
        }), tests: 500);
    }

    [Fact]
    public void Parse_ValidAppWithOneFieldReplacedByAnything_ConfigOrErrors_AndWhatItAcceptsLoads()
    {
        var mutated = from app in AppFileGen.ValidApp
                      from field in Gen.Elements(app.Select(kv => kv.Key).ToArray())
                      from value in AppFileGen.Value(3)
                      select Replace(app, field, value);

        var accepted = 0;
        Properties.Check(Prop.ForAll(mutated.ToArbitrary(), text => { if (ParseThenLoad(text)) accepted++; }), tests: 600);

        accepted.Should().BeGreaterThan(20, "some replacements are valid too, so the load step is exercised");
    }

    private static string Replace(JsonObject app, string field, string rawValue)
    {
        var copy = (JsonObject)app.DeepClone();
        copy[field] = "\u0001placeholder\u0001";
        return copy.ToJsonString().Replace(AppFileGen.Quote("\u0001placeholder\u0001"), rawValue, StringComparison.Ordinal);
    }

    private static void CopyFolder(string from, string to)
    {
        if (!Directory.Exists(from)) return;
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
    }
}
