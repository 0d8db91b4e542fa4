using System.Diagnostics;
using System.Diagnostics.Metrics;
using Valet.Core.Diagnostics.Metrics;

namespace Valet.Core.Tests.Diagnostics;

public sealed class PrometheusExporterTests
{
    [Theory]
    [InlineData("valet.requests", "{request}", true, "valet_requests_total")]
    [InlineData("valet.request.duration", "s", false, "valet_request_duration_seconds")]
    [InlineData("valet.bytes-in", "By", true, "valet_bytes_in_bytes_total")]
    [InlineData("9lives", null, false, "_9lives")]
    public void MetricName_FollowsPrometheusConventions(string name, string? unit, bool counter, string expected)
    {
        PrometheusText.MetricName(name, unit, counter).Should().Be(expected);
    }

    [Fact]
    public void Scrape_CounterHistogramAndGauge_RenderedWithLabelsAndBuckets()
    {
        using var meter = new Meter("test-" + Guid.NewGuid());
        using var exporter = new PrometheusExporter(meter);
        var counter = meter.CreateCounter<long>("app.hits", "{hit}", "Hits by app.");
        var histogram = meter.CreateHistogram<double>("app.latency", "s", "Latency.");
        meter.CreateObservableGauge("app.up", () => 1, null, "Up.");

        counter.Add(2, new KeyValuePair<string, object?>("app", "a"));
        counter.Add(3, new KeyValuePair<string, object?>("app", "a"));
        counter.Add(1, new KeyValuePair<string, object?>("app", "quote\"back\\slash\nline"));
        histogram.Record(0.003, new KeyValuePair<string, object?>("app", "a"));
        histogram.Record(0.2, new KeyValuePair<string, object?>("app", "a"));
        histogram.Record(100, new KeyValuePair<string, object?>("app", "a"));

        var text = exporter.Scrape();

        text.Should().Contain("# TYPE app_hits_total counter\n");
        text.Should().Contain("# HELP app_hits_total Hits by app.\n");
        text.Should().Contain("app_hits_total{app=\"a\"} 5\n");
        text.Should().Contain("app_hits_total{app=\"quote\\\"back\\\\slash\\nline\"} 1\n");
        text.Should().Contain("# TYPE app_latency_seconds histogram\n");
        text.Should().Contain("app_latency_seconds_bucket{app=\"a\",le=\"0.0025\"} 0\n");
        text.Should().Contain("app_latency_seconds_bucket{app=\"a\",le=\"0.005\"} 1\n");
        text.Should().Contain("app_latency_seconds_bucket{app=\"a\",le=\"0.25\"} 2\n");
        text.Should().Contain("app_latency_seconds_bucket{app=\"a\",le=\"30\"} 2\n");
        text.Should().Contain("app_latency_seconds_bucket{app=\"a\",le=\"+Inf\"} 3\n");
        text.Should().Contain("app_latency_seconds_count{app=\"a\"} 3\n");
        text.Should().Contain("app_latency_seconds_sum{app=\"a\"} 100.203\n");
        text.Should().Contain("# TYPE app_up gauge\napp_up 1\n");
    }

    [Fact]
    public void Scrape_OtherMeters_NotExported()
    {
        using var mine = new Meter("mine");
        using var other = new Meter("mine");
        using var exporter = new PrometheusExporter(mine);
        other.CreateCounter<long>("other.count").Add(1);
        mine.CreateCounter<long>("mine.count").Add(1);

        exporter.Scrape().Should().Contain("mine_count_total 1").And.NotContain("other_count");
    }

    [Fact]
    public void Scrape_OutputAcceptedByPrometheusClientParser()
    {
        using var meter = new Meter("parse");
        using var exporter = new PrometheusExporter(meter);
        meter.CreateCounter<long>("valet.requests", "{request}", "Requests.").Add(7,
            new KeyValuePair<string, object?>("app", "a\"b"), new KeyValuePair<string, object?>("status", "2xx"));
        meter.CreateHistogram<double>("valet.request.duration", "s", "Duration.").Record(0.01, new KeyValuePair<string, object?>("app", "a"));
        meter.CreateUpDownCounter<long>("valet.requests.in_flight", "{request}", "In flight.").Add(0);

        var parsed = PrometheusParser.Parse(exporter.Scrape());

        parsed.Should().Contain("valet_requests counter a\"b 7.0");
        parsed.Should().Contain("valet_request_duration_seconds histogram _count 1.0");
        parsed.Should().Contain("valet_requests_in_flight gauge 0.0");
    }
}

/// <summary>Feeds exposition text to Debian's python3-prometheus-client parser and lists what it read.</summary>
internal static class PrometheusParser
{
    private const string Script = """
        import sys
        from prometheus_client.parser import text_string_to_metric_families
        for family in text_string_to_metric_families(sys.stdin.read()):
            for s in family.samples:
                if family.type == 'histogram':
                    if s.name.endswith('_count'):
                        print(family.name, family.type, '_count', float(s.value))
                else:
                    print(family.name, family.type, *[v for k, v in sorted(s.labels.items()) if k == 'app'], float(s.value))
        """;

    public static List<string> Parse(string text)
    {
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(Script);
        using var process = Process.Start(info)!;
        process.StandardInput.Write(text);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        process.ExitCode.Should().Be(0, "the parser must accept the text: " + error);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
    }
}
