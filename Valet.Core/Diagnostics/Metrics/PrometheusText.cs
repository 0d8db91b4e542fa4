using System.Globalization;
using System.Text;

namespace Valet.Core.Diagnostics.Metrics;

/// <summary>Names, label values and numbers in the Prometheus text exposition format (version 0.0.4).</summary>
public static class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>
    /// The Prometheus name of an instrument: dots and other invalid characters become '_', the unit
    /// becomes a suffix (<c>s</c> → <c>_seconds</c>, <c>By</c> → <c>_bytes</c>; annotations like
    /// <c>{request}</c> add nothing), and counters end in <c>_total</c>.
    /// </summary>
    public static string MetricName(string instrumentName, string? unit, bool isCounter)
    {
        var name = new StringBuilder(instrumentName.Length + 16);
        foreach (var c in instrumentName)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or ':' ? c : '_');
        }

        if (name.Length == 0 || char.IsAsciiDigit(name[0])) name.Insert(0, '_');
        var suffix = unit switch
        {
            "s" => "_seconds",
            "ms" => "_milliseconds",
            "By" => "_bytes",
            "1" => "_ratio",
            _ => "",
        };
        var result = name.ToString();
        if (suffix.Length > 0 && !result.EndsWith(suffix, StringComparison.Ordinal)) result += suffix;
        if (isCounter && !result.EndsWith("_total", StringComparison.Ordinal)) result += "_total";
        return result;
    }

    /// <summary>A label name: letters, digits and '_', not starting with a digit.</summary>
    public static string LabelName(string key)
    {
        var name = new StringBuilder(key.Length);
        foreach (var c in key) name.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        if (name.Length == 0 || char.IsAsciiDigit(name[0])) name.Insert(0, '_');
        return name.ToString();
    }

    /// <summary>Escapes a label value: backslash, double quote and line feed.</summary>
    public static string EscapeLabelValue(string value)
    {
        if (value.AsSpan().IndexOfAny('\\', '"', '\n') < 0) return value;
        return value.Replace("\\", @"\\").Replace("\"", "\\\"").Replace("\n", "\\n");
    }

    /// <summary>Escapes HELP text: backslash and line feed.</summary>
    public static string EscapeHelp(string text) => text.Replace("\\", @"\\").Replace("\n", "\\n");

    public static string Number(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
