using Valet.Peering.Sync;

namespace Valet.Peering.Membership;

/// <summary>
/// The long-lived runtime state of one peer: its identity, the liveness of the stream this node
/// opened to it (the link) and of the streams it opened to this node (inbound), traffic figures and
/// sync lag. A peer is up when either stream carried a message within the failure timeout: counts
/// flow both ways on whichever stream is alive.
/// </summary>
public sealed class PeerState(Uri? address)
{
    private string? _nodeId;
    private long _lastLinkMessage;
    private long _lastInboundMessage;
    private int _linkOpen;
    private int _inboundOpen;
    private int _health = (int)PeerHealth.Connecting;
    private long _messagesIn;
    private long _messagesOut;
    private long _bytesIn;
    private long _bytesOut;
    private long _rateSampledAt;
    private (long MsgIn, long MsgOut, long BytesIn, long BytesOut) _rateBase;
    private (double MsgIn, double MsgOut, double BytesIn, double BytesOut) _rates;
    private PeerState? _mergedInto;

    /// <summary>The configured peer address (this node dials it), or null for a peer that only dials in.</summary>
    public Uri? Address { get; } = address;

    public string? NodeId
    {
        get => Volatile.Read(ref _nodeId);
        internal set => Volatile.Write(ref _nodeId, value);
    }

    public PeerHealth Health => (PeerHealth)Volatile.Read(ref _health);

    public LagHistogram Lag { get; } = new();

    /// <summary>Where this node's counts for the peer are queued when the link is open.</summary>
    public SyncSink? LinkSink { get; internal set; }

    /// <summary>Where they are queued when only the peer's own stream to this node is open.</summary>
    public SyncSink? InboundSink { get; internal set; }

    /// <summary>The sink counts go to now: the link if open, else an inbound stream, else none.</summary>
    public SyncSink? ActiveSink => LinkSink is { IsOpen: true } link ? link : InboundSink is { IsOpen: true } inbound ? inbound : null;

    /// <summary>Set when an inbound-only record was folded into a configured peer's record.</summary>
    public PeerState Resolve()
    {
        var state = this;
        while (Volatile.Read(ref state._mergedInto) is { } next) state = next;
        return state;
    }

    internal void MergeInto(PeerState target) => Volatile.Write(ref _mergedInto, target);

    /// <summary>Takes over the inbound streams of an inbound-only record of the same node.</summary>
    internal void Absorb(PeerState other)
    {
        Interlocked.Add(ref _inboundOpen, Volatile.Read(ref other._inboundOpen));
        Volatile.Write(ref _lastInboundMessage, Math.Max(Volatile.Read(ref _lastInboundMessage), Volatile.Read(ref other._lastInboundMessage)));
        InboundSink ??= other.InboundSink;
        Lag.Absorb(other.Lag);
        Interlocked.Add(ref _messagesIn, Interlocked.Read(ref other._messagesIn));
        Interlocked.Add(ref _bytesIn, Interlocked.Read(ref other._bytesIn));
    }

    public void LinkOpened(long timestamp)
    {
        Volatile.Write(ref _lastLinkMessage, timestamp);
        Volatile.Write(ref _linkOpen, 1);
    }

    public void LinkClosed() => Volatile.Write(ref _linkOpen, 0);

    public void InboundOpened(long timestamp)
    {
        Volatile.Write(ref _lastInboundMessage, timestamp);
        Interlocked.Increment(ref _inboundOpen);
    }

    public void InboundClosed() => Interlocked.Decrement(ref _inboundOpen);

    /// <summary>A message arrived on the link's response side.</summary>
    public void LinkMessage(long timestamp, int bytes)
    {
        Volatile.Write(ref _lastLinkMessage, timestamp);
        Interlocked.Increment(ref _messagesIn);
        Interlocked.Add(ref _bytesIn, bytes);
    }

    /// <summary>A message arrived on an inbound stream.</summary>
    public void InboundMessage(long timestamp, int bytes)
    {
        Volatile.Write(ref _lastInboundMessage, timestamp);
        Interlocked.Increment(ref _messagesIn);
        Interlocked.Add(ref _bytesIn, bytes);
    }

    public void Sent(int bytes)
    {
        Interlocked.Increment(ref _messagesOut);
        Interlocked.Add(ref _bytesOut, bytes);
    }

    /// <summary>Recomputes health; true when it changed.</summary>
    internal bool Evaluate(TimeProvider time, long now, TimeSpan timeout)
    {
        var linkFresh = Volatile.Read(ref _linkOpen) == 1 && time.GetElapsedTime(Volatile.Read(ref _lastLinkMessage), now) < timeout;
        var inboundFresh = Volatile.Read(ref _inboundOpen) > 0 && time.GetElapsedTime(Volatile.Read(ref _lastInboundMessage), now) < timeout;
        var current = Health;
        var next = linkFresh || inboundFresh ? PeerHealth.Up : current == PeerHealth.Connecting && LastMessage == 0 ? PeerHealth.Connecting : PeerHealth.Down;
        if (next == current) return false;
        Volatile.Write(ref _health, (int)next);
        return true;
    }

    /// <summary>Timestamp of the last message on any stream (0 = never).</summary>
    public long LastMessage => Math.Max(Volatile.Read(ref _lastLinkMessage), Volatile.Read(ref _lastInboundMessage));

    internal void SampleRates(long now, TimeProvider time)
    {
        var current = (Interlocked.Read(ref _messagesIn), Interlocked.Read(ref _messagesOut), Interlocked.Read(ref _bytesIn), Interlocked.Read(ref _bytesOut));
        if (_rateSampledAt != 0)
        {
            var seconds = Math.Max(1e-3, time.GetElapsedTime(_rateSampledAt, now).TotalSeconds);
            _rates = ((current.Item1 - _rateBase.MsgIn) / seconds, (current.Item2 - _rateBase.MsgOut) / seconds,
                (current.Item3 - _rateBase.BytesIn) / seconds, (current.Item4 - _rateBase.BytesOut) / seconds);
        }

        _rateBase = current;
        _rateSampledAt = now;
    }

    public long MessagesIn => Interlocked.Read(ref _messagesIn);

    public long MessagesOut => Interlocked.Read(ref _messagesOut);

    public long BytesIn => Interlocked.Read(ref _bytesIn);

    public long BytesOut => Interlocked.Read(ref _bytesOut);

    public PeerStatus Status(TimeProvider time, long now)
    {
        var last = LastMessage;
        var rates = _rates;
        return new PeerStatus(
            NodeId,
            Address?.ToString(),
            Health.ToString().ToLowerInvariant(),
            last == 0 ? null : Math.Round(time.GetElapsedTime(last, now).TotalMilliseconds, 3),
            Lag.Percentile(0.50) / 1000.0,
            Lag.Percentile(0.99) / 1000.0,
            Math.Round(rates.MsgIn, 1),
            Math.Round(rates.MsgOut, 1),
            Math.Round(rates.BytesIn, 1),
            Math.Round(rates.BytesOut, 1),
            Lag.Count);
    }
}
