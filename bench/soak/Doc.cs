namespace Valet.Bench.Soak;

/// <summary>Writes one generated section of a Markdown page, between <c>&lt;!-- name:begin --&gt;</c> and <c>&lt;!-- name:end --&gt;</c>.</summary>
public static class Doc
{
    public static void WriteSection(string path, string name, string content)
    {
        var begin = $"<!-- {name}:begin (written by bench/soak.sh; do not edit by hand) -->";
        var end = $"<!-- {name}:end -->";
        var text = File.Exists(path) ? File.ReadAllText(path) : "";
        var from = text.IndexOf($"<!-- {name}:begin", StringComparison.Ordinal);
        var to = text.IndexOf(end, StringComparison.Ordinal);
        var section = begin + "\n" + content.TrimEnd() + "\n" + end;
        text = from >= 0 && to > from
            ? text[..from] + section + text[(to + end.Length)..]
            : text.TrimEnd() + "\n\n" + section + "\n";
        File.WriteAllText(path, text);
        Console.WriteLine($"wrote the {name} section of {path}");
    }
}
