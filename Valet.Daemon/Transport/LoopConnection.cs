using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Valet.Core.Networking;

namespace Valet.Daemon.Transport;

/// <summary>
/// One accepted connection on the event loops, with the semantics of Kestrel's socket transport: a
/// receive loop that fills the input pipe (waiting for data before it takes a buffer, so an idle
/// connection holds none), a send loop that drains the output pipe with one gathered write per
/// flush, the connection "closed" (<see cref="ConnectionClosed"/>) when the client's side ends,
/// and an abort that shuts the socket down under whatever is outstanding.
/// </summary>
internal sealed class LoopConnection : ConnectionContext, IConnectionIdFeature, IConnectionItemsFeature, IConnectionTransportFeature,
    IConnectionLifetimeFeature, IConnectionEndPointFeature, IMemoryPoolFeature
{
    /// <summary>As Kestrel's: the input pipe stops reading from the socket past 1 MiB unconsumed.</summary>
    private const long MaxReadBuffered = 1024 * 1024;

    /// <summary>As Kestrel's: a response write waits once 64 KiB are queued for the socket.</summary>
    private const long MaxWriteBuffered = 64 * 1024;

    private const int MinReadBuffer = 2048;

    private static long _lastId;

    private readonly LoopSocket _socket;
    private readonly IDuplexPipe _application;
    private readonly CancellationTokenSource _closed = new();
    private readonly TaskCompletionSource _closedFired = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _shutdownGate = new();
    private IDictionary<object, object?>? _items;
    private Exception? _shutdownReason;
    private bool _shutDown;
    private Task _processing = Task.CompletedTask;

    public LoopConnection(Socket socket, MemoryPool<byte> pool)
    {
        LocalEndPoint = socket.LocalEndPoint;
        RemoteEndPoint = socket.RemoteEndPoint;
        MemoryPool = pool;
        _socket = new LoopSocket(socket);
        var segment = pool.MaxBufferSize > 0 ? pool.MaxBufferSize : 4096;

        // Kestrel reads requests on the thread pool (as with its own transport): a handler that
        // blocks holds up a pool thread, never a loop. Writes to the socket happen inline in the
        // writer's flush; a writer held back by a full socket resumes on the pool too.
        var input = new Pipe(new PipeOptions(pool, PipeScheduler.ThreadPool, PipeScheduler.Inline,
            MaxReadBuffered, MaxReadBuffered / 2, segment, useSynchronizationContext: false));
        var output = new Pipe(new PipeOptions(pool, PipeScheduler.Inline, PipeScheduler.ThreadPool,
            MaxWriteBuffered, MaxWriteBuffered / 2, segment, useSynchronizationContext: false));
        Transport = new Duplex(input.Reader, output.Writer);
        _application = new Duplex(output.Reader, input.Writer);

        ConnectionId = $"L{Interlocked.Increment(ref _lastId):X8}";
        Features = new FeatureCollection();
        Features.Set<IConnectionIdFeature>(this);
        Features.Set<IConnectionItemsFeature>(this);
        Features.Set<IConnectionTransportFeature>(this);
        Features.Set<IConnectionLifetimeFeature>(this);
        Features.Set<IConnectionEndPointFeature>(this);
        Features.Set<IMemoryPoolFeature>(this);
        ConnectionClosed = _closed.Token;
    }

    public override string ConnectionId { get; set; }

    public override IFeatureCollection Features { get; }

    public override IDictionary<object, object?> Items
    {
        get => _items ??= new Dictionary<object, object?>();
        set => _items = value;
    }

    public override IDuplexPipe Transport { get; set; }

    public override CancellationToken ConnectionClosed { get; set; }

    public override EndPoint? LocalEndPoint { get; set; }

    public override EndPoint? RemoteEndPoint { get; set; }

    public MemoryPool<byte> MemoryPool { get; }

    public void Start() => _processing = RunAsync();

    public override void Abort(ConnectionAbortedException abortReason)
    {
        Shutdown(abortReason);
        // After the shutdown, so the send loop ends with the abort as its reason.
        _application.Input.CancelPendingRead();
    }

    public override async ValueTask DisposeAsync()
    {
        Transport.Input.Complete();
        Transport.Output.Complete();
        await _processing.ConfigureAwait(false);
        _closed.Dispose();
    }

    private async Task RunAsync()
    {
        var receiving = ReceiveAsync();
        var sending = SendAsync();
        await receiving.ConfigureAwait(false);
        await sending.ConfigureAwait(false);
    }

    private async Task ReceiveAsync()
    {
        var input = _application.Output;
        Exception? error = null;
        try
        {
            while (true)
            {
                // An idle keep-alive connection holds no buffer: wait for data first (no system call
                // when the socket already has some).
                await _socket.ReceiveAsync(Memory<byte>.Empty).ConfigureAwait(false);
                var buffer = input.GetMemory(MinReadBuffer);
                var read = await _socket.ReceiveAsync(buffer).ConfigureAwait(false);
                if (read == 0) break; // the client's FIN
                input.Advance(read);
                var flush = await input.FlushAsync().ConfigureAwait(false);
                if (flush.IsCompleted || flush.IsCanceled) break;
            }
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset)
        {
            error = new ConnectionResetException(e.Message, e);
        }
        catch (Exception e) when (e is ObjectDisposedException or SocketException { SocketErrorCode: SocketError.OperationAborted or SocketError.ConnectionAborted or SocketError.Shutdown })
        {
            error = new ConnectionAbortedException(e.Message, e);
        }
        catch (Exception e)
        {
            error = new IOException(e.Message, e);
        }
        finally
        {
            // After a shutdown (an abort, or the send loop's end) that is why the reads ended.
            lock (_shutdownGate) error = _shutdownReason ?? error;
            await input.CompleteAsync(error).ConfigureAwait(false);
            FireConnectionClosed();
            await _closedFired.Task.ConfigureAwait(false);
        }
    }

    private async Task SendAsync()
    {
        var output = _application.Input;
        Exception? unexpected = null;
        try
        {
            while (true)
            {
                var result = await output.ReadAsync().ConfigureAwait(false);
                if (result.IsCanceled) break;
                var buffer = result.Buffer;
                if (!buffer.IsEmpty) await _socket.SendAsync(buffer).ConfigureAwait(false);
                output.AdvanceTo(buffer.End);
                if (result.IsCompleted) break;
            }
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset)
        {
            unexpected = new ConnectionResetException(e.Message, e);
        }
        catch (Exception e) when (e is ObjectDisposedException or SocketException { SocketErrorCode: SocketError.OperationAborted or SocketError.ConnectionAborted or SocketError.Shutdown })
        {
            // Shut down meanwhile (an abort): its reason stands.
        }
        catch (Exception e)
        {
            unexpected = new IOException(e.Message, e);
        }
        finally
        {
            Shutdown(unexpected);
            await output.CompleteAsync(unexpected).ConfigureAwait(false);
            // A receive loop waiting for room in the input pipe goes on to see the socket closed.
            _application.Output.CancelPendingFlush();
        }
    }

    private void Shutdown(Exception? reason)
    {
        lock (_shutdownGate)
        {
            if (_shutDown) return;
            _shutDown = true;
            _shutdownReason = reason ?? new ConnectionAbortedException("The connection's send loop completed gracefully.");
        }

        _socket.Shutdown();
        _socket.Dispose();
    }

    private void FireConnectionClosed() =>
        ThreadPool.UnsafeQueueUserWorkItem(static state =>
        {
            try
            {
                state._closed.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Disposed already: nobody is listening.
            }

            state._closedFired.TrySetResult();
        }, this, preferLocal: false);

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
