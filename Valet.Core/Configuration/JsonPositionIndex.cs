using System.Text.Json;

namespace Valet.Core.Configuration;

/// <summary>
/// Maps JSON paths (<c>$.endpoints[0].port</c>) to the line and column where their value starts,
/// and member paths to where their property name starts, so validation errors can point at the
/// exact place in the file. Built in one pass of <see cref="Utf8JsonReader"/> over a document that
/// has already parsed successfully; the same pass finds members given twice in one object, which
/// <see cref="JsonDocument"/> can only report without a position.
/// </summary>
internal sealed class JsonPositionIndex
{
    private readonly Dictionary<string, long> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _names = new(StringComparer.Ordinal);
    private readonly List<DuplicateMember> _duplicates = [];
    private readonly int[] _lineStarts;

    private JsonPositionIndex(int[] lineStarts) => _lineStarts = lineStarts;

    public static JsonPositionIndex Build(ReadOnlySpan<byte> utf8, JsonReaderOptions options)
    {
        var lineStarts = new List<int> { 0 };
        for (var i = 0; i < utf8.Length; i++)
        {
            if (utf8[i] == (byte)'\n') lineStarts.Add(i + 1);
        }

        var index = new JsonPositionIndex([.. lineStarts]);
        var reader = new Utf8JsonReader(utf8, options);
        var frames = new Stack<Frame>();
        string? pendingName = null;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    pendingName = reader.GetString()!;
                    var memberPath = frames.Peek().Path + "." + pendingName;
                    if (frames.Peek().Names!.Add(pendingName))
                    {
                        index._names[memberPath] = reader.TokenStartIndex;
                    }
                    else
                    {
                        var (line, column) = index.ToLineColumn(reader.TokenStartIndex);
                        index._duplicates.Add(new DuplicateMember(memberPath, pendingName, line, column, index.NameAt(memberPath).Line));
                    }

                    continue;
                case JsonTokenType.EndObject:
                case JsonTokenType.EndArray:
                    frames.Pop();
                    continue;
                case JsonTokenType.Comment:
                    continue;
            }

            string path;
            if (frames.Count == 0)
            {
                path = "$";
            }
            else if (frames.Peek().IsArray)
            {
                var frame = frames.Pop();
                path = frame.Path + "[" + frame.NextIndex + "]";
                frames.Push(frame with { NextIndex = frame.NextIndex + 1 });
            }
            else
            {
                path = frames.Peek().Path + "." + pendingName;
            }

            index._values[path] = reader.TokenStartIndex;
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                var isArray = reader.TokenType == JsonTokenType.StartArray;
                frames.Push(new Frame(path, isArray, 0, isArray ? null : new HashSet<string>(StringComparer.Ordinal)));
            }
        }

        return index;
    }

    /// <summary>Members given more than once in the same object, each at its second (or later) occurrence.</summary>
    public IReadOnlyList<DuplicateMember> Duplicates => _duplicates;

    /// <summary>Position of the value at <paramref name="path"/>, or of its nearest ancestor.</summary>
    public (int Line, int Column) ValueAt(string path)
    {
        while (true)
        {
            if (_values.TryGetValue(path, out var offset)) return ToLineColumn(offset);
            var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
            if (cut <= 0) return (1, 1);
            path = path[..cut];
        }
    }

    /// <summary>Position of the property name of member <paramref name="path"/>.</summary>
    public (int Line, int Column) NameAt(string path) =>
        _names.TryGetValue(path, out var offset) ? ToLineColumn(offset) : ValueAt(path);

    private (int Line, int Column) ToLineColumn(long offset)
    {
        var line = Array.BinarySearch(_lineStarts, (int)offset);
        if (line < 0) line = ~line - 1;
        return (line + 1, (int)offset - _lineStarts[line] + 1);
    }

    private readonly record struct Frame(string Path, bool IsArray, int NextIndex, HashSet<string>? Names);
}
