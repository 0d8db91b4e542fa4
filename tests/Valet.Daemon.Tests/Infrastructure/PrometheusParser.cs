using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Valet.Daemon.Tests.Infrastructure;

/// <summary>One sample as Debian's python3-prometheus-client parser read it.</summary>
public sealed record PromSample(string Family, string Type, string Help, string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public bool Has(params (string Name, string Value)[] labels) =>
        labels.All(l => Labels.TryGetValue(l.Name, out var v) && v == l.Value);
}

/// <summary>
/// Feeds exposition text to <c>prometheus_client.parser.text_string_to_metric_families</c> (Debian's
/// python3-prometheus-client) and returns every sample it read. On top of the parser's own checks
/// the script refuses families without a TYPE, duplicate series, and histograms whose buckets are
/// not cumulative, lack <c>+Inf</c> or disagree with <c>_count</c>.
/// </summary>
public static class PrometheusParser
{
    private const string Script = """
        import sys, json, math
        from prometheus_client.parser import text_string_to_metric_families
        text = sys.stdin.read()
        out, seen = [], set()
        def fail(msg):
            sys.stderr.write(msg + "\n"); sys.exit(2)
        for f in text_string_to_metric_families(text):
            if f.type == 'unknown':
                fail('family without TYPE: ' + f.name)
            buckets = {}
            counts = {}
            for s in f.samples:
                key = (s.name, tuple(sorted(s.labels.items())))
                if key in seen:
                    fail('duplicate series: %r' % (key,))
                seen.add(key)
                if f.type == 'histogram':
                    rest = tuple(sorted((k, v) for k, v in s.labels.items() if k != 'le'))
                    if s.name.endswith('_bucket'):
                        buckets.setdefault(rest, []).append((float(s.labels['le']), s.value))
                    elif s.name.endswith('_count'):
                        counts[rest] = s.value
                out.append({"family": f.name, "type": f.type, "help": f.documentation, "name": s.name,
                            "labels": s.labels, "value": repr(float(s.value))})
            for rest, bs in buckets.items():
                les = [le for le, _ in bs]
                if les != sorted(les) or les[-1] != math.inf:
                    fail('histogram %s%r: buckets out of order or without +Inf' % (f.name, rest))
                values = [v for _, v in bs]
                if any(b < a for a, b in zip(values, values[1:])):
                    fail('histogram %s%r: buckets not cumulative' % (f.name, rest))
                if counts.get(rest) != values[-1]:
                    fail('histogram %s%r: _count differs from the +Inf bucket' % (f.name, rest))
        print(json.dumps(out))
        """;

    public static async Task<List<PromSample>> ParseAsync(string text)
    {
        var info = new ProcessStartInfo("/usr/bin/python3")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(Script);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(text);
        process.StandardInput.Close();
        await process.WaitForExitAsync();
        var error = await stderr;
        process.ExitCode.Should().Be(0, "prometheus_client must accept the exposition text: " + error + "\n--- text ---\n" + text);
        using var json = JsonDocument.Parse(await stdout);
        return json.RootElement.EnumerateArray().Select(e => new PromSample(
            e.GetProperty("family").GetString()!,
            e.GetProperty("type").GetString()!,
            e.GetProperty("help").GetString()!,
            e.GetProperty("name").GetString()!,
            e.GetProperty("labels").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!),
            double.Parse(e.GetProperty("value").GetString()!, CultureInfo.InvariantCulture))).ToList();
    }

    /// <summary>The value of the one sample named <paramref name="name"/> with these labels (others ignored); 0 when absent.</summary>
    public static double Value(this IEnumerable<PromSample> samples, string name, params (string Name, string Value)[] labels) =>
        samples.Where(s => s.Name == name && s.Has(labels)).Sum(s => s.Value);
}
