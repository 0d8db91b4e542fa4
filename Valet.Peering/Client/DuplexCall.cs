using Google.Protobuf;
using Valet.Peering.Protocol;

namespace Valet.Peering.Client;

/// <summary>
/// A bidirectional streaming call: write messages (each flushed, or several then one flush),
/// <see cref="CompleteRequest"/> to half-close, read messages, then <see cref="Status"/>.
/// Disposing cancels the call if it is still running.
/// </summary>
public sealed class DuplexCall : IAsyncDisposable
{
    private readonly StreamingContent _content;
    private readonly Task<HttpResponseMessage> _send;
    private readonly CancellationTokenSource _cts;
    private readonly int _maxMessageBytes;
    private readonly bool _hasDeadline;
    private GrpcResponse? _response;
    private Stream? _requestStream;

    internal DuplexCall(StreamingContent content, Task<HttpResponseMessage> send, CancellationTokenSource cts, int maxMessageBytes, bool hasDeadline)
    {
        _content = content;
        _send = send;
        _cts = cts;
        _maxMessageBytes = maxMessageBytes;
        _hasDeadline = hasDeadline;
    }

    public CancellationToken Token => _cts.Token;

    /// <summary>Set once the call ended (after the last read, or from the headers).</summary>
    public GrpcStatus? Status { get; private set; }

    private async ValueTask<Stream> RequestStreamAsync()
    {
        if (_requestStream is not null) return _requestStream;
        var first = await Task.WhenAny(_content.Stream, _send).ConfigureAwait(false);
        if (first == _send && !_content.Stream.IsCompleted)
        {
            // The server answered (or the connection failed) before the body started: no stream to write to.
            await ReceiveHeadersAsync().ConfigureAwait(false);
            throw new GrpcException(Status ?? new GrpcStatus(GrpcStatusCode.Internal, "the server answered before the request body started"));
        }

        return _requestStream = await _content.Stream.ConfigureAwait(false);
    }

    public async ValueTask WriteAsync(IMessage message) => await WriteFramesAsync([GrpcFrameWriter.Frame(message)]).ConfigureAwait(false);

    /// <summary>Writes framed messages and flushes once; returns the bytes written.</summary>
    public async ValueTask<int> WriteFramesAsync(IReadOnlyList<byte[]> frames)
    {
        try
        {
            var stream = await RequestStreamAsync().ConfigureAwait(false);
            var bytes = 0;
            foreach (var frame in frames)
            {
                await stream.WriteAsync(frame, _cts.Token).ConfigureAwait(false);
                bytes += frame.Length;
            }

            await stream.FlushAsync(_cts.Token).ConfigureAwait(false);
            return bytes;
        }
        catch (Exception e) when (e is not GrpcException)
        {
            throw new GrpcException(GrpcClientErrors.Map(e, DeadlinePassed), e);
        }
    }

    /// <summary>Half-closes: no more request messages.</summary>
    public void CompleteRequest() => _content.Complete();

    /// <summary>Waits for the response headers; the call's status when they settle it (Trailers-Only or an HTTP error).</summary>
    public async ValueTask<GrpcStatus?> ReceiveHeadersAsync()
    {
        if (_response is not null) return Status;
        try
        {
            _response = new GrpcResponse(await _send.ConfigureAwait(false), _maxMessageBytes);
        }
        catch (Exception e)
        {
            Status = GrpcClientErrors.Map(e, DeadlinePassed);
            return Status;
        }

        Status = _response.HeaderStatus();
        return Status;
    }

    /// <summary>The next response message, or null at the end (then <see cref="Status"/> is set). Throws <see cref="GrpcException"/> on failure.</summary>
    public async ValueTask<(T? Message, int Bytes)> ReadAsync<T>(MessageParser<T> parser)
        where T : class, IMessage<T>
    {
        if (await ReceiveHeadersAsync().ConfigureAwait(false) is { } settled) throw new GrpcException(settled);
        if (Status is { } done) throw new GrpcException(done);
        GrpcRead<T> read;
        try
        {
            read = await _response!.ReadAsync(parser, _cts.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Status = GrpcClientErrors.Map(e, DeadlinePassed);
            throw new GrpcException(Status.Value, e);
        }

        if (read.Error is { } error)
        {
            Status = error;
            _cts.Cancel();
            throw new GrpcException(error);
        }

        if (read.Message is null)
        {
            Status = _response.TrailerStatus();
            return (null, 0);
        }

        return (read.Message, read.Bytes);
    }

    private bool DeadlinePassed => _hasDeadline && _cts.IsCancellationRequested;

    /// <summary>Cancels the call (RST_STREAM CANCEL on the wire).</summary>
    public void Cancel() => _cts.Cancel();

    public async ValueTask DisposeAsync()
    {
        if (Status is null) _cts.Cancel();
        _content.Complete();
        try
        {
            await _send.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The call's outcome was already reported (or nobody asked).
        }

        _response?.Dispose();
        _content.Dispose();
        _cts.Dispose();
    }
}
