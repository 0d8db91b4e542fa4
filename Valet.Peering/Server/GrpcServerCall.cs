using System.Buffers;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Valet.Peering.Protocol;

namespace Valet.Peering.Server;

/// <summary>
/// One gRPC call on Kestrel: reads request messages, writes response messages, and ends with a
/// status, in trailers once the body has started or as Trailers-Only before. The call's token fires
/// when the client goes away or the <c>grpc-timeout</c> deadline passes; a passed deadline ends the
/// call with DEADLINE_EXCEEDED and resets the stream with CANCEL.
/// </summary>
public sealed class GrpcServerCall : IDisposable
{
    private readonly HttpContext _context;
    private readonly CancellationTokenSource _cts;
    private readonly GrpcFrameReader _reader;
    private bool _started;
    private bool _finished;

    public GrpcServerCall(HttpContext context, int maxMessageBytes, TimeProvider time)
    {
        _context = context;
        _cts = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        _reader = new GrpcFrameReader(context.Request.BodyReader, maxMessageBytes);
        if (GrpcTimeout.TryParse(context.Request.Headers[GrpcHeaders.Timeout], out var timeout))
        {
            Deadline = time.GetUtcNow() + timeout;
            if (timeout < TimeSpan.FromDays(1)) _cts.CancelAfter(timeout);
        }
    }

    public HttpContext Context => _context;

    /// <summary>Fires when the client cancels, the connection drops, or the deadline passes.</summary>
    public CancellationToken Token => _cts.Token;

    public DateTimeOffset? Deadline { get; }

    /// <summary>True once the deadline (not the client) ended the call.</summary>
    public bool DeadlinePassed => _cts.IsCancellationRequested && !_context.RequestAborted.IsCancellationRequested;

    public long BytesRead => _reader.BytesRead;

    public ValueTask<GrpcRead<T>> ReadAsync<T>(MessageParser<T> parser)
        where T : class, IMessage<T> => _reader.ReadAsync(parser, _cts.Token);

    /// <summary>The single request message of a unary call, or the status to end the call with.</summary>
    public async ValueTask<(T? Message, GrpcStatus? Error)> ReadUnaryAsync<T>(MessageParser<T> parser)
        where T : class, IMessage<T>
    {
        var first = await ReadAsync(parser).ConfigureAwait(false);
        if (first.Error is { } error) return (null, error);
        if (first.Message is null) return (null, new GrpcStatus(GrpcStatusCode.Internal, "a unary call needs one request message; none was sent"));
        var second = await ReadAsync(parser).ConfigureAwait(false);
        if (second.Error is { } late) return (null, late);
        if (second.Message is not null) return (null, new GrpcStatus(GrpcStatusCode.Internal, "a unary call takes one request message; more were sent"));
        return (first.Message, null);
    }

    public async ValueTask WriteAsync(IMessage message)
    {
        Start();
        await GrpcFrameWriter.WriteAsync(_context.Response.BodyWriter, message, _cts.Token).ConfigureAwait(false);
    }

    /// <summary>Writes already framed messages, then flushes once.</summary>
    public async ValueTask WriteFramesAsync(IReadOnlyList<byte[]> frames)
    {
        Start();
        var writer = _context.Response.BodyWriter;
        foreach (var frame in frames) writer.Write(frame.AsSpan());
        await writer.FlushAsync(_cts.Token).ConfigureAwait(false);
    }

    private void Start()
    {
        if (_started) return;
        _started = true;
        var response = _context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = GrpcHeaders.ContentType;
    }

    /// <summary>Ends the call with <paramref name="status"/>; later calls do nothing.</summary>
    public async Task FinishAsync(GrpcStatus status)
    {
        if (_finished) return;
        _finished = true;
        var response = _context.Response;
        var code = ((int)status.Code).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var message = string.IsNullOrEmpty(status.Message) ? null : GrpcMessageEncoding.Encode(status.Message);
        if (!_started && !response.HasStarted)
        {
            // Trailers-Only: one header block with :status 200, content-type and grpc-status.
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = GrpcHeaders.ContentType;
            response.Headers[GrpcHeaders.Status] = code;
            if (message is not null) response.Headers[GrpcHeaders.Message] = message;
        }
        else if (response.SupportsTrailers())
        {
            response.AppendTrailer(GrpcHeaders.Status, code);
            if (message is not null) response.AppendTrailer(GrpcHeaders.Message, message);
        }

        try
        {
            await response.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException)
        {
            // The client is gone; nothing left to tell it.
        }

        if (status.Code == GrpcStatusCode.DeadlineExceeded) Reset(GrpcHttpMapping.Http2Cancel);
    }

    /// <summary>Resets the HTTP/2 stream (CANCEL 0x8, INTERNAL_ERROR 0x2).</summary>
    public void Reset(int errorCode)
    {
        var reset = _context.Features.Get<IHttpResetFeature>();
        try
        {
            reset?.Reset(errorCode);
        }
        catch (InvalidOperationException)
        {
            // Already complete.
        }
    }

    /// <summary>Long-lived streams must not be cut by Kestrel's minimum data rate or body size limit.</summary>
    public static void DisableLimits(HttpContext context)
    {
        if (context.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } rate) rate.MinDataRate = null;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = null;
    }

    public void Dispose() => _cts.Dispose();
}
