using System.Buffers;

namespace Valet.Core.Diagnostics.AccessLog;

/// <summary>A reusable byte buffer of whole lines: written through <see cref="IBufferWriter{T}"/>, drained from the front.</summary>
internal sealed class LineBuffer(int initialSize) : IBufferWriter<byte>
{
    private byte[] _bytes = new byte[initialSize];

    public int Count { get; private set; }

    public ReadOnlySpan<byte> Written => _bytes.AsSpan(0, Count);

    public void Advance(int count) => Count += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _bytes.AsMemory(Count);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _bytes.AsSpan(Count);
    }

    public void Append(byte value)
    {
        Ensure(1);
        _bytes[Count++] = value;
    }

    /// <summary>Drops the first <paramref name="count"/> bytes, keeping the rest at the front.</summary>
    public void Consume(int count)
    {
        Buffer.BlockCopy(_bytes, count, _bytes, 0, Count - count);
        Count -= count;
    }

    public void Clear() => Count = 0;

    private void Ensure(int sizeHint)
    {
        var needed = Count + Math.Max(sizeHint, 256);
        if (needed <= _bytes.Length) return;
        Array.Resize(ref _bytes, Math.Max(needed, _bytes.Length * 2));
    }
}
