using System.Collections.Concurrent;

namespace Valet.Peering.Membership;

/// <summary>
/// Gives every node id a small stable index (0 is this node), so per-window counts of other nodes
/// live in a plain array. Indexes are never reused while the process runs; at most <see cref="Capacity"/>.
/// </summary>
public sealed class NodeDirectory
{
    private readonly ConcurrentDictionary<string, int> _indexes = new(StringComparer.Ordinal);
    private readonly string?[] _ids;
    private int _count;

    public NodeDirectory(string self, int capacity)
    {
        Capacity = capacity;
        _ids = new string?[capacity];
        _ids[0] = self;
        _indexes[self] = 0;
        _count = 1;
    }

    public int Capacity { get; }

    public string Self => _ids[0]!;

    /// <summary>The index of <paramref name="nodeId"/>, assigning one; -1 when the directory is full.</summary>
    public int IndexOf(string nodeId)
    {
        if (_indexes.TryGetValue(nodeId, out var index)) return index;
        lock (_ids)
        {
            if (_indexes.TryGetValue(nodeId, out index)) return index;
            if (_count >= Capacity) return -1;
            index = _count;
            _ids[index] = nodeId;
            _indexes[nodeId] = index;
            Volatile.Write(ref _count, index + 1);
            return index;
        }
    }

    public string? IdAt(int index) => (uint)index < (uint)Capacity ? Volatile.Read(ref _ids[index]) : null;

    public int Count => Volatile.Read(ref _count);
}
