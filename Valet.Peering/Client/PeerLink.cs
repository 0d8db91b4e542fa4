using Microsoft.Extensions.Logging;
using Valet.Peering.Membership;
using Valet.Peering.Protocol;
using Valet.Peering.Protocol.V1;
using Valet.Peering.Server;
using Valet.Peering.Sync;

namespace Valet.Peering.Client;

/// <summary>
/// This node's long-lived Sync stream to one configured peer, reconnected with capped backoff.
/// Each connection, in order:
/// 1. open the stream; send Hello and a snapshot of every live window;
/// 2. read the peer's Hello (within the connect timeout): learn its node id;
/// 3. mark the link open and register its sink: from now on this node's batches go here;
/// 4. merge what the peer sends (its snapshot first: that is the catch-up the readiness waits for);
/// 5. end on a broken stream, a bad frame, or silence longer than the failure timeout; then back off.
/// </summary>
public sealed partial class PeerLink : IAsyncDisposable
{
    private readonly PeeringOptions _options;
    private readonly TimeProvider _time;
    private readonly ClusterCounterStore _store;
    private readonly ClusterMembership _membership;
    private readonly SyncReceiver _receiver;
    private readonly ILogger _logger;
    private readonly PeerChannel _channel;
    private readonly TaskCompletionSource _caughtUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Backoff _backoff;
    private DuplexCall? _call;
    private Task? _run;
    private CancellationTokenSource? _stop;

    public PeerLink(PeerState peer, PeeringOptions options, TimeProvider time, ClusterCounterStore store, ClusterMembership membership,
        SyncReceiver receiver, ILogger logger)
    {
        Peer = peer;
        _options = options;
        _time = time;
        _store = store;
        _membership = membership;
        _receiver = receiver;
        _logger = logger;
        _backoff = new Backoff(options.BackoffInitial, options.BackoffMax);
        _channel = new PeerChannel(peer.Address!, options.Token, options.MaxMessageBytes, options.ConnectTimeout, options.ValidatePeerCertificate);
    }

    public PeerState Peer { get; }

    /// <summary>Completes when the peer's first snapshot has been merged.</summary>
    public Task CaughtUp => _caughtUp.Task;

    /// <summary>Connections made so far (tests wait on reconnection with it).</summary>
    public int Connections { get; private set; }

    public void Start()
    {
        _stop = new CancellationTokenSource();
        _run = Task.Run(() => RunAsync(_stop.Token));
    }

    private async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await ConnectOnceAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is GrpcException or OperationCanceledException or IOException or HttpRequestException)
            {
                LogLinkFailed(_logger, Peer.Address!, e.Message);
            }

            try
            {
                await Task.Delay(_backoff.Next(), _time, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ConnectOnceAsync(CancellationToken stop)
    {
        // 1. open, Hello, snapshot
        await using var call = _channel.StartDuplex(PeeringService.SyncMethod, cancellationToken: stop);
        var frames = new List<byte[]> { SyncFrames.Hello(_options, _time) };
        frames.AddRange(SyncFrames.Snapshot(_store, _options.NodeId, _options.MaxBatchUpdates));
        var sink = new SyncSink(_options.SinkCapacity, _time);
        Task writer = Task.CompletedTask;
        try
        {
            // 2. the peer's Hello
            using (var connect = CancellationTokenSource.CreateLinkedTokenSource(stop))
            {
                connect.CancelAfter(_options.ConnectTimeout);
                await using var registration = connect.Token.Register(call.Cancel).ConfigureAwait(false);
                await call.WriteFramesAsync(frames).ConfigureAwait(false);
                var (hello, bytes) = await call.ReadAsync(SyncMessage.Parser).ConfigureAwait(false);
                if (hello is not { KindCase: SyncMessage.KindOneofCase.Hello } || hello.Hello.NodeId.Length == 0)
                {
                    throw new GrpcException(call.Status ?? new GrpcStatus(GrpcStatusCode.Internal, "the peer's first message was not a Hello"));
                }

                var nodeId = hello.Hello.NodeId;
                if (nodeId == _options.NodeId)
                {
                    throw new GrpcException(new GrpcStatus(GrpcStatusCode.FailedPrecondition, $"peer {Peer.Address} has this node's own id '{nodeId}'"));
                }

                if (Peer.NodeId != nodeId) _membership.Identify(Peer, nodeId);
                Peer.LinkOpened(_time.GetTimestamp());
                Peer.LinkMessage(_time.GetTimestamp(), bytes);
                foreach (var frame in frames) Peer.Sent(frame.Length);
            }

            // 3. open for batches
            _call = call;
            Connections++;
            _backoff.Reset();
            var previous = Peer.LinkSink;
            Peer.LinkSink = sink;
            previous?.Close();
            _membership.Evaluate();
            LogLinkUp(_logger, Peer.Address!, Peer.NodeId!);
            writer = WriteLoopAsync(call, sink);

            // 4. merge
            while (true)
            {
                var (message, bytes) = await call.ReadAsync(SyncMessage.Parser).ConfigureAwait(false);
                if (message is null) throw new GrpcException(call.Status ?? GrpcStatus.Ok);
                Peer.LinkMessage(_time.GetTimestamp(), bytes);
                if (message.KindCase != SyncMessage.KindOneofCase.Batch) continue;
                _receiver.Apply(Peer, Peer.NodeId!, message.Batch);
                if (message.Batch.Snapshot) _caughtUp.TrySetResult();
            }
        }
        finally
        {
            // 5. down
            _call = null;
            sink.Close();
            if (Peer.LinkSink == sink) Peer.LinkSink = null;
            Peer.LinkClosed();
            Peer.InboundSink?.RequestSnapshot();
            _membership.Evaluate();
            call.Cancel();
            await writer.ConfigureAwait(false);
        }
    }

    private async Task WriteLoopAsync(DuplexCall call, SyncSink sink)
    {
        var frames = new List<byte[]>();
        try
        {
            while (await sink.Reader.WaitToReadAsync(call.Token).ConfigureAwait(false))
            {
                frames.Clear();
                if (sink.TakeSnapshotRequest()) frames.AddRange(SyncFrames.Snapshot(_store, _options.NodeId, _options.MaxBatchUpdates));
                while (frames.Count < 256 && sink.Reader.TryRead(out var frame)) frames.Add(frame);
                var outgoing = Transport?.Invoke(frames) ?? frames;
                if (outgoing.Count == 0) continue;
                await call.WriteFramesAsync(outgoing).ConfigureAwait(false);
                foreach (var frame in outgoing) Peer.Sent(frame.Length);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or GrpcException or IOException)
        {
            call.Cancel();
        }
    }

    /// <summary>
    /// A hook on the frames this link is about to write (tests inject duplication, reordering and
    /// loss here, at the transport). Null sends them as they are.
    /// </summary>
    public Func<List<byte[]>, List<byte[]>>? Transport { get; set; }

    /// <summary>Ends the current stream when the peer has been silent longer than the failure timeout.</summary>
    public void CheckSilence(long now)
    {
        if (_call is { } call && Peer.Health == PeerHealth.Down && Peer.LinkSink is not null
            && _time.GetElapsedTime(Peer.LastMessage, now) >= _options.FailureTimeout)
        {
            call.Cancel();
        }
    }

    /// <summary>Ends the current stream now (tests: a broken connection).</summary>
    public void Break() => _call?.Cancel();

    public async ValueTask DisposeAsync()
    {
        if (_stop is not null)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            if (_run is not null) await _run.ConfigureAwait(false);
            _stop.Dispose();
        }

        _channel.Dispose();
    }

    [LoggerMessage(30, LogLevel.Information, "Peer link to {Address} is up (node {NodeId})")]
    private static partial void LogLinkUp(ILogger logger, Uri address, string nodeId);

    [LoggerMessage(31, LogLevel.Debug, "Peer link to {Address} failed: {Reason}")]
    private static partial void LogLinkFailed(ILogger logger, Uri address, string reason);
}
