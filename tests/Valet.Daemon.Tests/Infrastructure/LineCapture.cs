using System.Text;

namespace Valet.Daemon.Tests.Infrastructure;

/// <summary>A write-only stream that keeps what was written, as UTF-8 lines (the access log's output in tests).</summary>
public sealed class LineCapture : Stream
{
    private readonly MemoryStream _bytes = new();

    public List<string> Lines
    {
        get
        {
            lock (_bytes)
            {
                var text = Encoding.UTF8.GetString(_bytes.GetBuffer(), 0, (int)_bytes.Length);
                return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
            }
        }
    }

    public string Text
    {
        get
        {
            lock (_bytes) return Encoding.UTF8.GetString(_bytes.GetBuffer(), 0, (int)_bytes.Length);
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> lines were written.</summary>
    public async Task<List<string>> WaitForLinesAsync(int count)
    {
        await Eventually.WaitUntil(() => Lines.Count >= count, $"{count} access log line(s) were written");
        return Lines;
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        lock (_bytes) _bytes.Write(buffer, offset, count);
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        lock (_bytes) _bytes.Write(buffer);
    }

    public override void Flush()
    {
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
