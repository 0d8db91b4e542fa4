using System.Buffers;

namespace Valet.Core.Aggregation;

/// <summary>
/// A body read whole into a pooled array, up to a bound: a part's answer (to embed it in the
/// merged JSON) or the client's body (copied out before the parts start). Return it once used.
/// </summary>
internal readonly struct BoundedBuffer
{
    private const int InitialSize = 16 * 1024;

    private BoundedBuffer(byte[]? rented, int length, bool tooLarge)
    {
        Rented = rented;
        Length = length;
        TooLarge = tooLarge;
    }

    /// <summary>The pooled array, or null when nothing was read or the body was too large.</summary>
    public byte[]? Rented { get; }

    public int Length { get; }

    /// <summary>The body was longer than the bound; nothing is kept.</summary>
    public bool TooLarge { get; }

    public ReadOnlyMemory<byte> Memory => Rented is null ? default : Rented.AsMemory(0, Length);

    /// <summary>Reads <paramref name="source"/> to its end, or until it passes <paramref name="max"/> bytes.</summary>
    /// <param name="declared">The declared length, when known: refused at once when too large, else the buffer's size.</param>
    public static async ValueTask<BoundedBuffer> ReadAsync(Stream source, long? declared, int max, CancellationToken token)
    {
        if (declared > max) return new BoundedBuffer(null, 0, tooLarge: true);
        var bound = max + 1L;
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(declared is { } known ? known + 1 : InitialSize, bound));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(buffer.Length * 2L, bound));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await source.ReadAsync(buffer.AsMemory(length), token).ConfigureAwait(false);
                if (read == 0) break;
                length += read;
                if (length > max)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return new BoundedBuffer(null, 0, tooLarge: true);
                }
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }

        return new BoundedBuffer(buffer, length, tooLarge: false);
    }

    public void Return()
    {
        if (Rented is not null) ArrayPool<byte>.Shared.Return(Rented);
    }
}
