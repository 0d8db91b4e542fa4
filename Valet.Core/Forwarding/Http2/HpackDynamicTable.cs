namespace Valet.Core.Forwarding.Http2;

/// <summary>
/// The decoder's dynamic table (RFC 7541 §2.3.2, §4): newest entry first, sized in octets plus 32
/// per entry, oldest entries evicted to make room. A ring buffer, so an insertion moves nothing.
/// </summary>
internal sealed class HpackDynamicTable(int maxSize)
{
    private HeaderField[] _entries = new HeaderField[16];
    private int _newest;

    /// <summary>Entries held.</summary>
    public int Count { get; private set; }

    /// <summary>Octets held, as HPACK counts them (each entry's name and value plus 32).</summary>
    public int Size { get; private set; }

    /// <summary>The current maximum, as the encoder last set it (at most the limit this side announced).</summary>
    public int MaxSize { get; private set; } = maxSize;

    /// <summary>The entry at <paramref name="index"/>, 0 being the newest.</summary>
    public HeaderField this[int index] => _entries[(_newest + index) % _entries.Length];

    /// <summary>
    /// Adds an entry in front, evicting from the back until it fits. An entry larger than the
    /// maximum empties the table and is not added (§4.4): not an error.
    /// </summary>
    public void Add(HeaderField field)
    {
        if (field.Size > MaxSize)
        {
            Clear();
            return;
        }

        EvictTo(MaxSize - field.Size);
        if (Count == _entries.Length) Grow();
        _newest = (_newest - 1 + _entries.Length) % _entries.Length;
        _entries[_newest] = field;
        Count++;
        Size += field.Size;
    }

    /// <summary>A dynamic table size update (§6.3): the new maximum, evicting what no longer fits.</summary>
    public void Resize(int maxSize)
    {
        MaxSize = maxSize;
        EvictTo(maxSize);
    }

    private void EvictTo(int size)
    {
        while (Size > size)
        {
            var oldest = (_newest + Count - 1) % _entries.Length;
            Size -= _entries[oldest].Size;
            _entries[oldest] = default;
            Count--;
        }
    }

    private void Clear()
    {
        Array.Clear(_entries);
        Count = 0;
        Size = 0;
        _newest = 0;
    }

    private void Grow()
    {
        var grown = new HeaderField[_entries.Length * 2];
        for (var i = 0; i < Count; i++) grown[i] = this[i];
        _entries = grown;
        _newest = 0;
    }
}
