using System.Text;
using Valet.Core.Configuration;
using Valet.Core.Tests.TestSupport;

namespace Valet.Core.Tests.Configuration;

public sealed class HostFieldTests
{
    private const string Endpoints = "\"endpoints\": [ { \"host\": \"a.example\", \"port\": 80 } ]";

    private static AppParseResult Parse(string fields) =>
        AppConfigParser.Parse("p.json", Encoding.UTF8.GetBytes($"{{ \"name\": \"p\", {Endpoints}, {fields} }}"), Path.GetTempPath());

    [Fact]
    public void Parse_Hosts_LowerCasedWithoutTrailingDot()
    {
        var result = Parse("\"hosts\": [\"API.Example.com.\", \"*.fn.example.com\"]");

        result.Errors.Should().BeEmpty();
        result.Config!.Hosts.Should().Equal("api.example.com", "*.fn.example.com");
    }

    [Theory]
    [InlineData("https://api.example.com")]
    [InlineData("api.example.com:8443")]
    [InlineData("*.com.")]
    [InlineData("a.*.example.com")]
    [InlineData("localhost")]
    public void Parse_BadHost_Error(string host)
    {
        var result = Parse($"\"hosts\": [\"{host}\"]");

        result.Errors.Single().Path.Should().Be("$.hosts[0]");
    }

    [Fact]
    public void Load_SameHostInTwoApps_SecondFileFails()
    {
        using var folder = new TempFolder();
        folder.Write("a.json", $"{{ \"name\": \"a\", {Endpoints}, \"hosts\": [\"api.example.com\"] }}");
        folder.Write("b.json", $"{{ \"name\": \"b\", {Endpoints}, \"hosts\": [\"API.example.com\"] }}");

        var load = AppDirectoryLoader.Load(folder.Path);

        load.Files[0].Succeeded.Should().BeTrue();
        load.Files[1].Errors.Single().Message.Should().Be("host \"api.example.com\" is already routed to app \"a\" (a.json); a host routes to one app");
    }
}
