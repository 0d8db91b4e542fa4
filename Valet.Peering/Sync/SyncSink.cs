using System.Threading.Channels;

namespace Valet.Peering.Sync;

/// <summary>
/// The bounded queue of framed messages for one open stream to one peer. When it is full the
/// frames are dropped and the sink asks for a snapshot instead: counts are cumulative, so one
/// snapshot repairs any number of lost batches. The stream's writer drains it.
/// </summary>
public sealed class SyncSink(int capacity, TimeProvider time)
{
    private readonly Channel<byte[]> _frames = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(capacity)
    {
        SingleReader = true,
        SingleWriter = false,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private int _needsSnapshot;
    private int _open = 1;
    private long _lastEnqueued = time.GetTimestamp();

    public bool IsOpen => Volatile.Read(ref _open) == 1;

    public ChannelReader<byte[]> Reader => _frames.Reader;

    /// <summary>Timestamp of the last frame queued (heartbeats are sent when it is old).</summary>
    public long LastEnqueued => Volatile.Read(ref _lastEnqueued);

    public bool TryEnqueue(byte[] frame)
    {
        if (!IsOpen) return false;
        Volatile.Write(ref _lastEnqueued, time.GetTimestamp());
        if (_frames.Writer.TryWrite(frame)) return true;
        Volatile.Write(ref _needsSnapshot, 1);
        return false;
    }

    /// <summary>Asks the writer to send a full snapshot before its next frames.</summary>
    public void RequestSnapshot() => Volatile.Write(ref _needsSnapshot, 1);

    /// <summary>True once per request: the writer then sends a snapshot.</summary>
    public bool TakeSnapshotRequest() => Interlocked.Exchange(ref _needsSnapshot, 0) == 1;

    public void Close()
    {
        Volatile.Write(ref _open, 0);
        _frames.Writer.TryComplete();
    }
}
