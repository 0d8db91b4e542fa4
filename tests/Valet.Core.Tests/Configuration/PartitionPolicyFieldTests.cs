using System.Text;
using Valet.Core.Configuration;
using Valet.Core.Routing;

namespace Valet.Core.Tests.Configuration;

public sealed class PartitionPolicyFieldTests
{
    private static AppParseResult Parse(string extra) => AppConfigParser.Parse("p.json",
        Encoding.UTF8.GetBytes($$"""{ "name": "p", "endpoints": [ { "host": "a.example", "port": 80 } ], "rateLimit": true, "limitValue": 5{{extra}} }"""),
        Path.GetTempPath());

    [Theory]
    [InlineData("", PartitionPolicy.Share)]
    [InlineData(", \"partitionPolicy\": \"share\"", PartitionPolicy.Share)]
    [InlineData(", \"partitionPolicy\": \"open\"", PartitionPolicy.Open)]
    public void Parse_PartitionPolicy_MappedToTheLimit(string extra, PartitionPolicy expected)
    {
        var result = Parse(extra);

        result.Errors.Should().BeEmpty();
        result.Config!.PartitionPolicy.Should().Be(expected);
        new AppModel(result.Config, "p.json", "r", new Valet.Core.LoadBalancing.AppState("p")).RateLimit!.PartitionPolicy.Should().Be(expected);
    }

    [Fact]
    public void Parse_UnknownPartitionPolicy_ErrorNamesTheChoices()
    {
        var result = Parse(", \"partitionPolicy\": \"closed\"");

        result.Errors.Should().ContainSingle().Which.Message.Should().Contain("use \"share\"").And.Contain("\"open\"");
        result.Errors[0].Path.Should().Be("$.partitionPolicy");
    }
}
