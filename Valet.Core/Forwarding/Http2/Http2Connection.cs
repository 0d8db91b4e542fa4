using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;

namespace Valet.Core.Forwarding.Http2;

/// <summary>
/// One HTTP/2 connection (RFC 9113) carrying one request on stream 1, for the requests whose
/// trailers .NET's HTTP client cannot send (<see cref="RequestTrailers.Announced"/>). Such requests
/// are rare, so there is no pool: a connection per request keeps the state small (no stream
/// table, no concurrency limit, no connection reuse rules) at the price of a handshake each.
/// 1. <see cref="SendAsync"/>: preface and SETTINGS, the request's HEADERS (+ CONTINUATION),
///    then the body runs in the background as DATA frames within the flow-control windows, and
///    ends with the client's trailers as a HEADERS frame with END_STREAM (or an empty DATA frame
///    with END_STREAM when there were none); returns once the final response headers arrived.
/// 2. The reading side handles every frame: response HEADERS/CONTINUATION through HPACK, DATA
///    into a pipe the forwarder reads (crediting WINDOW_UPDATEs back), trailers, RST_STREAM,
///    GOAWAY, PING (acknowledged), SETTINGS (applied and acknowledged); unknown frames are ignored.
/// 3. Any failure, or the caller's cancellation, closes the connection once
///    (<see cref="CloseAsync"/>): RST_STREAM CANCEL for a cancellation, RST_STREAM or GOAWAY with
///    the error for a protocol violation; whoever waits (for headers, body or window) learns why.
/// 4. <see cref="DisposeAsync"/> ends it: GOAWAY NO_ERROR after a complete exchange, else
///    RST_STREAM CANCEL, and waits until nothing reads the client's body any more.
/// </summary>
internal sealed class Http2Connection : IAsyncDisposable
{
    private const int StreamId = 1;

    /// <summary>The most a response's header block may take (as SocketsHttpHandler's default MaxResponseHeadersLength).</summary>
    private const int MaxHeaderListSize = 64 * 1024;

    /// <summary>Valet's largest frame even when the endpoint allows more: bigger frames save little.</summary>
    private const int MaxSendFrameSize = 64 * 1024;

    /// <summary>Read octets are credited back once half the window was used, so the endpoint never stalls on a full window.</summary>
    private const int CreditThreshold = Http2SendWindow.DefaultSize / 2;

    /// <summary>How long a goodbye frame may wait for the connection before it is closed without one.</summary>
    private static readonly TimeSpan FarewellTimeout = TimeSpan.FromSeconds(1);

    /// <summary>
    /// This side's SETTINGS: no server push, and the header list limit. The initial window stays at
    /// 65535 octets (the default), so a response is never buffered beyond that.
    /// </summary>
    private static readonly (Http2SettingId Id, uint Value)[] LocalSettings =
    [
        (Http2SettingId.EnablePush, 0),
        (Http2SettingId.MaxHeaderListSize, MaxHeaderListSize),
    ];

    private readonly Stream _transport;
    private readonly Http2FrameReader _reader;
    private readonly Http2FrameWriter _writer;
    private readonly HpackDecoder _decoder = new(maxHeaderListSize: MaxHeaderListSize);
    private readonly Http2SendWindow _sendWindow = new();
    private readonly CancellationTokenSource _lifetime = new();
    private readonly TaskCompletionSource<HttpResponseMessage> _head = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Pipe _body = new(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));
    private readonly List<HeaderField> _fields = [];

    private HttpRequestMessage? _request;
    private HttpResponseMessage? _response;
    private CancellationTokenRegistration _cancellation;
    private CancellationToken _callerToken;
    private Task _readLoop = Task.CompletedTask;
    private Task _upload = Task.CompletedTask;
    private Exception? _failure;
    private int _closing;

    // Reading side only.
    private bool _prefaceSeen;
    private bool _continuing;
    private bool _blockEndsStream;
    private byte[] _block = [];
    private int _blockLength;
    private bool _bodyCompleted;
    private long _expectedLength = -1;
    private long _received;
    private int _peerInitialWindow = Http2SendWindow.DefaultSize;

    // Shared between the reading side, the body's reader and the upload.
    private volatile int _peerMaxFrameSize = Http2FrameHeader.DefaultMaxLength;
    private volatile bool _responseEnded;
    private volatile bool _requestEnded;
    private int _receiveConnection = Http2SendWindow.DefaultSize;
    private int _receiveStream = Http2SendWindow.DefaultSize;
    private int _uncredited;

    /// <param name="transport">A connected stream to the endpoint: TCP (h2c) or TLS that negotiated "h2".</param>
    public Http2Connection(Stream transport)
    {
        _transport = transport;
        _reader = new Http2FrameReader(transport);
        _writer = new Http2FrameWriter(transport, MaxSendFrameSize);
    }

    /// <summary>The final response, once <see cref="SendAsync"/> returned it.</summary>
    public HttpResponseMessage? Response => _response;

    /// <summary>The send windows, for tests.</summary>
    internal Http2SendWindow SendWindow => _sendWindow;

    /// <summary>
    /// Sends <paramref name="request"/> (step 1) and returns the final response, whose content
    /// streams the body and whose <see cref="HttpResponseMessage.TrailingHeaders"/> are filled
    /// before the body's end is read. <paramref name="token"/> cancels the exchange for its whole
    /// life, not just until the headers. Throws <see cref="OperationCanceledException"/> when
    /// cancelled, else <see cref="HttpRequestException"/>.
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, RequestTrailers? trailers, CancellationToken token)
    {
        _request = request;
        _callerToken = token;
        _cancellation = token.UnsafeRegister(static state => ((Http2Connection)state!).Cancel(), this);
        try
        {
            // The endpoint's SETTINGS is not awaited: until it comes, its defaults are the safe assumption.
            await _writer.WritePrefaceAsync(LocalSettings, _lifetime.Token).ConfigureAwait(false);
            _readLoop = ReadLoopAsync();
            var content = request.Content;
            await WriteHeaderBlockAsync(RequestFields(request), endStream: content is null, emptyTable: true).ConfigureAwait(false);
            if (content is null) _requestEnded = true;
            else _upload = UploadAsync(content, trailers);
            return await _head.Task.WaitAsync(token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            if (token.IsCancellationRequested) throw new OperationCanceledException("the request to the endpoint was cancelled", e, token);
            if (_failure is HttpRequestException failure) throw new HttpRequestException(failure.HttpRequestError, failure.Message, failure);
            throw e as HttpRequestException ?? new HttpRequestException(HttpRequestError.Unknown, "the request to the endpoint failed: " + e.Message, e);
        }
    }

    /// <summary>
    /// Frames <paramref name="data"/> as DATA: each frame at most the peer's SETTINGS_MAX_FRAME_SIZE
    /// (and Valet's own cap), each octet reserved from both windows first.
    /// </summary>
    internal async ValueTask SendDataAsync(ReadOnlyMemory<byte> data, CancellationToken token)
    {
        while (!data.IsEmpty)
        {
            var frame = Math.Min(data.Length, Math.Min(_peerMaxFrameSize, _writer.MaxFrameSize));
            var granted = await _sendWindow.ReserveAsync(frame, token).ConfigureAwait(false);
            await _writer.WriteDataAsync(StreamId, data[..granted], endStream: false, token).ConfigureAwait(false);
            data = data[granted..];
        }
    }

    /// <summary>
    /// Gives <paramref name="octets"/> back to the endpoint's windows (connection and stream) once
    /// they were read, or were padding; sent as WINDOW_UPDATE in batches of half a window.
    /// </summary>
    internal async ValueTask CreditAsync(int octets)
    {
        if (_responseEnded) return;
        if (Interlocked.Add(ref _uncredited, octets) < CreditThreshold) return;
        var credit = Interlocked.Exchange(ref _uncredited, 0);
        if (credit <= 0) return;
        // Counted before the update is sent: the endpoint may use the credit the moment it arrives.
        Interlocked.Add(ref _receiveConnection, credit);
        Interlocked.Add(ref _receiveStream, credit);
        try
        {
            await _writer.WriteWindowUpdateAsync(StreamId, credit, _lifetime.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The connection is over; its reading side reports why.
        }
    }

    public async ValueTask DisposeAsync()
    {
        _cancellation.Dispose();
        var complete = _requestEnded && _responseEnded;
        await CloseAsync(null, complete ? Http2FrameType.GoAway : Http2FrameType.RstStream, complete ? Http2ErrorCode.NoError : Http2ErrorCode.Cancel)
            .ConfigureAwait(false);
        // Neither task throws; waiting for them means nothing reads the client's body or uses the buffers after this.
        await _upload.ConfigureAwait(false);
        await _readLoop.ConfigureAwait(false);
        if (_response is null) await _body.Reader.CompleteAsync().ConfigureAwait(false);
        _reader.Dispose();
        _writer.Dispose();
        _lifetime.Dispose();
        var block = Interlocked.Exchange(ref _block, []);
        if (block.Length > 0) ArrayPool<byte>.Shared.Return(block);
    }

    private void Cancel() =>
        _ = CloseAsync(new OperationCanceledException("the request to the endpoint was cancelled", null, _callerToken), Http2FrameType.RstStream, Http2ErrorCode.Cancel);

    /// <summary>
    /// Ends the connection, once (step 3): records <paramref name="failure"/> for whoever waits,
    /// sends <paramref name="farewell"/> (RST_STREAM or GOAWAY with <paramref name="code"/>; null =
    /// none) if the connection takes it promptly, then cancels every pending operation and closes
    /// the socket. Later calls wait for the first one.
    /// </summary>
    private Task CloseAsync(Exception? failure, Http2FrameType? farewell, Http2ErrorCode code)
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0) return _closed.Task;
        _failure = failure;
        var reason = failure ?? new IOException("the connection to the endpoint was closed");
        if (failure is OperationCanceledException) _head.TrySetCanceled(_callerToken);
        else if (_head.TrySetException(reason)) _ = _head.Task.Exception; // observed: SendAsync may have stopped waiting already
        _sendWindow.Fail(reason);
        return CloseCoreAsync(farewell, code);
    }

    private async Task CloseCoreAsync(Http2FrameType? farewell, Http2ErrorCode code)
    {
        try
        {
            if (farewell is { } frame)
            {
                using var timeout = new CancellationTokenSource(FarewellTimeout);
                if (frame == Http2FrameType.GoAway) await _writer.WriteGoAwayAsync(0, code, timeout.Token).ConfigureAwait(false);
                else await _writer.WriteRstStreamAsync(StreamId, code, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // A goodbye is a courtesy: the endpoint sees the connection close either way.
        }
        finally
        {
            await _lifetime.CancelAsync().ConfigureAwait(false);
            await _transport.DisposeAsync().ConfigureAwait(false);
            _closed.TrySetResult();
        }
    }

    /// <summary>The body, then the trailers with END_STREAM (step 1, in the background). Never throws.</summary>
    private async Task UploadAsync(HttpContent content, RequestTrailers? trailers)
    {
        try
        {
            await content.CopyToAsync(new Http2RequestBody(this), _lifetime.Token).ConfigureAwait(false);
            var fields = new List<HeaderField>();
            trailers?.CopyTo(fields);
            if (fields.Count > 0) await WriteHeaderBlockAsync(fields, endStream: true, emptyTable: false).ConfigureAwait(false);
            else await _writer.WriteDataAsync(StreamId, ReadOnlyMemory<byte>.Empty, endStream: true, _lifetime.Token).ConfigureAwait(false);
            _requestEnded = true;
        }
        catch (Exception e)
        {
            // Stopped because the exchange is already over (answered and told to stop, cancelled, failed): nothing to add.
            if (Volatile.Read(ref _closing) != 0) return;
            await CloseAsync(new HttpRequestException(HttpRequestError.Unknown, "sending the request body to the endpoint failed: " + e.Message, e),
                Http2FrameType.RstStream, Http2ErrorCode.Cancel).ConfigureAwait(false);
        }
    }

    private async ValueTask WriteHeaderBlockAsync(List<HeaderField> fields, bool endStream, bool emptyTable)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(HpackEncoder.MaxLength(fields));
        try
        {
            var length = HpackEncoder.Encode(fields, buffer, emptyTable);
            await _writer.WriteHeadersAsync(StreamId, buffer.AsMemory(0, length), endStream, _peerMaxFrameSize, _lifetime.Token).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The request's pseudo-headers, then its headers and content headers as the forwarder set them.</summary>
    private static List<HeaderField> RequestFields(HttpRequestMessage request)
    {
        var uri = request.RequestUri!;
        var fields = new List<HeaderField>(24)
        {
            new(":method", request.Method.Method),
            new(":scheme", uri.Scheme),
            new(":authority", uri.IsDefaultPort ? uri.IdnHost : string.Concat(uri.IdnHost, ":", uri.Port.ToString(CultureInfo.InvariantCulture))),
            new(":path", uri.PathAndQuery),
        };
        AddFields(fields, request.Headers);
        if (request.Content is { } content) AddFields(fields, content.Headers);
        return fields;
    }

    private static void AddFields(List<HeaderField> fields, System.Net.Http.Headers.HttpHeaders headers)
    {
        foreach (var header in headers.NonValidated)
        {
            if (IsConnectionSpecific(header.Key)) continue;
            foreach (var value in header.Value) fields.Add(new HeaderField(header.Key, value));
        }
    }

    /// <summary>
    /// Fields HTTP/2 forbids (RFC 9113 §8.2.2); the forwarder drops them already (and Host becomes
    /// :authority), this keeps the connection correct whatever a caller puts in.
    /// </summary>
    private static bool IsConnectionSpecific(string name) =>
        name.Equals("Host", StringComparison.OrdinalIgnoreCase) || name.Equals("Connection", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Keep-Alive", StringComparison.OrdinalIgnoreCase) || name.Equals("Proxy-Connection", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) || name.Equals("Upgrade", StringComparison.OrdinalIgnoreCase);

    /// <summary>The reading side (step 2). Never throws; it alone writes the body's pipe, so it completes it.</summary>
    private async Task ReadLoopAsync()
    {
        Exception? failure = null;
        try
        {
            while (await _reader.ReadAsync(_lifetime.Token).ConfigureAwait(false))
            {
                await HandleFrameAsync(_reader.Header, _reader.Payload).ConfigureAwait(false);
                if (Volatile.Read(ref _closing) != 0) break;
            }

            if (!_responseEnded && Volatile.Read(ref _closing) == 0)
            {
                failure = new HttpRequestException(HttpRequestError.ResponseEnded, "the endpoint closed the connection before its response ended");
            }
        }
        catch (Http2ProtocolException e)
        {
            var message = _prefaceSeen ? $"the endpoint broke HTTP/2: {e.Message}"
                : $"the endpoint did not answer with an HTTP/2 server preface (does it speak HTTP/2?): {e.Message}";
            failure = new HttpRequestException(HttpRequestError.HttpProtocolError, message, e);
            await CloseAsync(failure, e.StreamOnly ? Http2FrameType.RstStream : Http2FrameType.GoAway, e.Code).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // I/O errors, and the cancellation of a read when the connection closes for another reason.
            failure = new HttpRequestException(HttpRequestError.ResponseEnded, "the connection to the endpoint broke: " + e.Message, e);
        }
        finally
        {
            if (failure is not null) await CloseAsync(failure, null, Http2ErrorCode.NoError).ConfigureAwait(false);
            CompleteBody(_failure ?? failure);
        }
    }

    private ValueTask HandleFrameAsync(Http2FrameHeader header, ReadOnlyMemory<byte> payload)
    {
        if (!_prefaceSeen)
        {
            if (header.Type != Http2FrameType.Settings || header.Has(Http2FrameFlags.Ack))
            {
                throw Protocol($"its first frame is of type {(byte)header.Type}, not a SETTINGS frame");
            }

            _prefaceSeen = true;
        }

        if (_continuing && header.Type != Http2FrameType.Continuation)
        {
            throw Protocol($"a frame of type {(byte)header.Type} interrupts a header block; only CONTINUATION may follow until END_HEADERS");
        }

        switch (header.Type)
        {
            case Http2FrameType.Data:
                return OnDataAsync(header, payload);
            case Http2FrameType.Headers:
                OnHeaders(header, payload);
                return default;
            case Http2FrameType.Continuation:
                OnContinuation(header, payload.Span);
                return default;
            case Http2FrameType.Priority:
                OnPriority(header);
                return default;
            case Http2FrameType.RstStream:
                return OnResetAsync(header, payload);
            case Http2FrameType.Settings:
                return OnSettingsAsync(header, payload.Span);
            case Http2FrameType.PushPromise:
                throw Protocol("a PUSH_PROMISE, although Valet's SETTINGS disabled server push");
            case Http2FrameType.Ping:
                return OnPingAsync(header, payload);
            case Http2FrameType.GoAway:
                return OnGoAwayAsync(header, payload);
            case Http2FrameType.WindowUpdate:
                OnWindowUpdate(header, payload.Span);
                return default;
            default:
                // Extension frames of unknown types are ignored (RFC 9113 §4.1, §5.5).
                return default;
        }
    }

    private async ValueTask OnDataAsync(Http2FrameHeader header, ReadOnlyMemory<byte> payload)
    {
        RequireStream(header, "DATA");
        // The whole payload counts against the windows, padding included (§6.9.1).
        var connectionWindow = Volatile.Read(ref _receiveConnection);
        var streamWindow = Volatile.Read(ref _receiveStream);
        if (header.Length > connectionWindow || header.Length > streamWindow)
        {
            throw new Http2ProtocolException(Http2ErrorCode.FlowControlError,
                $"a DATA frame of {header.Length} octets, with only {Math.Min(connectionWindow, streamWindow)} left in the window Valet gave");
        }

        Interlocked.Add(ref _receiveConnection, -header.Length);
        Interlocked.Add(ref _receiveStream, -header.Length);
        if (_response is null) throw Malformed("DATA before the response headers");
        if (_responseEnded) throw new Http2ProtocolException(Http2ErrorCode.StreamClosed, "DATA after the response ended", streamOnly: true);
        var data = Unpad(header, payload, priority: false);
        _received += data.Length;
        if (_expectedLength >= 0 && _received > _expectedLength) throw Malformed($"more body than its content-length of {_expectedLength}");
        if (!data.IsEmpty)
        {
            _body.Writer.Write(data.Span);
            await _body.Writer.FlushAsync().ConfigureAwait(false);
        }

        var padding = header.Length - data.Length;
        if (padding > 0) await CreditAsync(padding).ConfigureAwait(false);
        if (header.Has(Http2FrameFlags.EndStream)) EndResponse();
    }

    private void OnHeaders(Http2FrameHeader header, ReadOnlyMemory<byte> payload)
    {
        RequireStream(header, "HEADERS");
        if (_responseEnded) throw new Http2ProtocolException(Http2ErrorCode.StreamClosed, "HEADERS after the response ended", streamOnly: true);
        var fragment = Unpad(header, payload, priority: header.Has(Http2FrameFlags.Priority));
        _blockEndsStream = header.Has(Http2FrameFlags.EndStream);
        if (header.Has(Http2FrameFlags.EndHeaders))
        {
            OnHeaderBlock(fragment.Span);
            return;
        }

        _continuing = true;
        _blockLength = 0;
        AppendToBlock(fragment.Span);
    }

    private void OnContinuation(Http2FrameHeader header, ReadOnlySpan<byte> payload)
    {
        if (!_continuing) throw Protocol("a CONTINUATION frame without a HEADERS frame before it");
        if (header.StreamId != StreamId) throw Protocol($"a CONTINUATION frame on stream {header.StreamId} inside a header block of stream {StreamId}");
        AppendToBlock(payload);
        if (!header.Has(Http2FrameFlags.EndHeaders)) return;
        _continuing = false;
        OnHeaderBlock(_block.AsSpan(0, _blockLength));
    }

    private void AppendToBlock(ReadOnlySpan<byte> fragment)
    {
        var length = _blockLength + fragment.Length;
        if (length > MaxHeaderListSize) throw Protocol($"a header block over {MaxHeaderListSize} octets");
        if (length > _block.Length)
        {
            var grown = ArrayPool<byte>.Shared.Rent(Math.Max(length, 2 * _block.Length));
            _block.AsSpan(0, _blockLength).CopyTo(grown);
            if (_block.Length > 0) ArrayPool<byte>.Shared.Return(_block);
            _block = grown;
        }

        fragment.CopyTo(_block.AsSpan(_blockLength));
        _blockLength = length;
    }

    /// <summary>A complete header block: decoded always (it may change the dynamic table), then the response head or its trailers.</summary>
    private void OnHeaderBlock(ReadOnlySpan<byte> block)
    {
        _fields.Clear();
        _decoder.Decode(block, _fields);
        if (_response is null) OnResponseHead();
        else OnTrailers();
    }

    private void OnResponseHead()
    {
        var status = -1;
        var index = 0;
        for (; index < _fields.Count && _fields[index].Name.StartsWith(':'); index++)
        {
            var field = _fields[index];
            if (field.Name != ":status") throw Malformed($"the response carries the pseudo-header '{field.Name}'");
            if (status >= 0) throw Malformed("the response has two :status fields");
            status = ParseStatus(field.Value);
        }

        if (status < 0) throw Malformed("the response headers have no :status");
        if (status < 200)
        {
            // 101 has no place in HTTP/2 (§8.6); other 1xx are interim (100 Continue, 103 Early Hints): the final answer follows.
            if (status == 101) throw Malformed("a 101 response, which HTTP/2 does not allow");
            if (_blockEndsStream) throw Malformed($"an interim {status} response that ends the stream");
            return;
        }

        var response = new HttpResponseMessage((HttpStatusCode)status)
        {
            Version = HttpVersion.Version20,
            RequestMessage = _request,
            Content = new StreamContent(new Http2ResponseBody(_body.Reader, this)),
        };
        for (; index < _fields.Count; index++)
        {
            var field = _fields[index];
            Validate(field, "response header");
            if (field.Name == "content-length") _expectedLength = ParseContentLength(field.Value);
            if (!response.Headers.TryAddWithoutValidation(field.Name, field.Value)) response.Content.Headers.TryAddWithoutValidation(field.Name, field.Value);
        }

        // No body follows these, whatever content-length says (RFC 9110 §6.4.1).
        if (_request!.Method == HttpMethod.Head || status is 204 or 304) _expectedLength = 0;
        _response = response;
        _head.TrySetResult(response);
        if (_blockEndsStream) EndResponse();
    }

    private void OnTrailers()
    {
        if (!_blockEndsStream) throw Malformed("a second header block that does not end the stream (only trailers may follow the headers)");
        foreach (var field in _fields)
        {
            if (field.Name.StartsWith(':')) throw Malformed($"the trailers carry the pseudo-header '{field.Name}'");
            Validate(field, "trailer");
            _response!.TrailingHeaders.TryAddWithoutValidation(field.Name, field.Value);
        }

        EndResponse();
    }

    private void EndResponse()
    {
        if (_expectedLength >= 0 && _received != _expectedLength)
        {
            throw Malformed($"the body has {_received} octets where its content-length says {_expectedLength}");
        }

        _responseEnded = true;
        CompleteBody(null);
    }

    private void CompleteBody(Exception? failure)
    {
        if (_bodyCompleted) return;
        _bodyCompleted = true;
        _body.Writer.Complete(failure is null ? null : new IOException(failure.Message, failure));
    }

    private async ValueTask OnResetAsync(Http2FrameHeader header, ReadOnlyMemory<byte> payload)
    {
        if (header.StreamId == 0) throw Protocol("RST_STREAM on stream 0");
        if (header.Length != 4) throw FrameSize($"RST_STREAM of {header.Length} octets; it has 4");
        if (header.StreamId != StreamId) throw Protocol($"RST_STREAM on stream {header.StreamId}, which Valet never opened");
        var code = (Http2ErrorCode)BinaryPrimitives.ReadUInt32BigEndian(payload.Span);
        if (_responseEnded)
        {
            // The answer is whole: the endpoint only tells Valet to stop sending the body (RFC 9113 §8.1).
            await CloseAsync(null, null, Http2ErrorCode.NoError).ConfigureAwait(false);
            return;
        }

        var message = code == Http2ErrorCode.RefusedStream
            ? "the endpoint refused the stream (REFUSED_STREAM) without processing the request"
            : $"the endpoint reset the stream ({Describe(code)})";
        await CloseAsync(new HttpRequestException(HttpRequestError.HttpProtocolError, message), null, Http2ErrorCode.NoError).ConfigureAwait(false);
    }

    private ValueTask OnSettingsAsync(Http2FrameHeader header, ReadOnlySpan<byte> payload)
    {
        if (header.StreamId != 0) throw Protocol($"SETTINGS on stream {header.StreamId}; they belong on stream 0");
        if (header.Has(Http2FrameFlags.Ack))
        {
            if (header.Length != 0) throw FrameSize($"a SETTINGS acknowledgement with {header.Length} octets of payload");
            return default;
        }

        if (header.Length % 6 != 0) throw FrameSize($"SETTINGS of {header.Length} octets, not a multiple of 6");
        for (var at = 0; at < payload.Length; at += 6)
        {
            var id = (Http2SettingId)BinaryPrimitives.ReadUInt16BigEndian(payload[at..]);
            var value = BinaryPrimitives.ReadUInt32BigEndian(payload[(at + 2)..]);
            switch (id)
            {
                case Http2SettingId.EnablePush when value > 1:
                    throw Protocol($"SETTINGS_ENABLE_PUSH of {value}; it is 0 or 1");
                case Http2SettingId.InitialWindowSize:
                    if (value > int.MaxValue) throw FlowControl($"SETTINGS_INITIAL_WINDOW_SIZE of {value}, over 2^31 - 1");
                    // The change applies to the open stream's window at once, and may make it negative (§6.9.2).
                    if (!_sendWindow.GrowStream((long)value - _peerInitialWindow)) throw FlowControl("SETTINGS_INITIAL_WINDOW_SIZE that takes the stream's window past 2^31 - 1");
                    _peerInitialWindow = (int)value;
                    break;
                case Http2SettingId.MaxFrameSize:
                    if (value is < Http2FrameHeader.DefaultMaxLength or > Http2FrameHeader.MaxAllowedLength)
                    {
                        throw Protocol($"SETTINGS_MAX_FRAME_SIZE of {value}; it is from 16384 to 16777215");
                    }

                    _peerMaxFrameSize = (int)value;
                    break;

                // HEADER_TABLE_SIZE: Valet's encoder never indexes. MAX_CONCURRENT_STREAMS: one stream.
                // MAX_HEADER_LIST_SIZE: advisory. Unknown settings are ignored (§6.5.2).
            }
        }

        return _writer.WriteSettingsAckAsync(_lifetime.Token);
    }

    private ValueTask OnPingAsync(Http2FrameHeader header, ReadOnlyMemory<byte> payload)
    {
        if (header.StreamId != 0) throw Protocol($"PING on stream {header.StreamId}; it belongs on stream 0");
        if (header.Length != 8) throw FrameSize($"PING of {header.Length} octets; it has 8");
        return header.Has(Http2FrameFlags.Ack) ? default : _writer.WritePingAckAsync(payload, _lifetime.Token);
    }

    private async ValueTask OnGoAwayAsync(Http2FrameHeader header, ReadOnlyMemory<byte> payload)
    {
        if (header.StreamId != 0) throw Protocol($"GOAWAY on stream {header.StreamId}; it belongs on stream 0");
        if (header.Length < 8) throw FrameSize($"GOAWAY of {header.Length} octets; it has at least 8");
        var lastStream = BinaryPrimitives.ReadInt32BigEndian(payload.Span) & int.MaxValue;
        var code = (Http2ErrorCode)BinaryPrimitives.ReadUInt32BigEndian(payload.Span[4..]);
        if (_responseEnded) return;
        if (lastStream < StreamId)
        {
            await CloseAsync(new HttpRequestException(HttpRequestError.HttpProtocolError,
                $"the endpoint is closing the connection (GOAWAY {Describe(code)}) without processing the request"), null, Http2ErrorCode.NoError).ConfigureAwait(false);
        }
        else if (code != Http2ErrorCode.NoError)
        {
            await CloseAsync(new HttpRequestException(HttpRequestError.HttpProtocolError,
                $"the endpoint ended the connection with an error (GOAWAY {Describe(code)})"), null, Http2ErrorCode.NoError).ConfigureAwait(false);
        }

        // GOAWAY NO_ERROR naming stream 1: a graceful shutdown; the request is answered first.
    }

    private void OnWindowUpdate(Http2FrameHeader header, ReadOnlySpan<byte> payload)
    {
        if (header.Length != 4) throw FrameSize($"WINDOW_UPDATE of {header.Length} octets; it has 4");
        var increment = BinaryPrimitives.ReadInt32BigEndian(payload) & int.MaxValue;
        if (header.StreamId == 0)
        {
            if (increment == 0) throw Protocol("a WINDOW_UPDATE of 0 on the connection");
            if (!_sendWindow.GrowConnection(increment)) throw FlowControl("a WINDOW_UPDATE that takes the connection's window past 2^31 - 1");
        }
        else if (header.StreamId == StreamId)
        {
            if (increment == 0) throw Malformed("a WINDOW_UPDATE of 0 on the stream");
            if (!_sendWindow.GrowStream(increment)) throw new Http2ProtocolException(Http2ErrorCode.FlowControlError, "a WINDOW_UPDATE that takes the stream's window past 2^31 - 1", streamOnly: true);
        }
        else
        {
            throw Protocol($"WINDOW_UPDATE on stream {header.StreamId}, which Valet never opened");
        }
    }

    private static void OnPriority(Http2FrameHeader header)
    {
        // Priorities are advisory and deprecated (RFC 9113 §5.3.2): checked, then ignored.
        if (header.StreamId == 0) throw Protocol("PRIORITY on stream 0");
        if (header.Length != 5) throw new Http2ProtocolException(Http2ErrorCode.FrameSizeError, $"PRIORITY of {header.Length} octets; it has 5", streamOnly: true);
    }

    private static void RequireStream(Http2FrameHeader header, string frame)
    {
        if (header.StreamId == 0) throw Protocol($"{frame} on stream 0");
        if (header.StreamId != StreamId) throw Protocol($"{frame} on stream {header.StreamId}, which Valet never opened");
    }

    /// <summary>The payload of DATA or HEADERS without its pad length, priority fields and padding (§6.1, §6.2).</summary>
    private static ReadOnlyMemory<byte> Unpad(Http2FrameHeader header, ReadOnlyMemory<byte> payload, bool priority)
    {
        var padding = 0;
        if (header.Has(Http2FrameFlags.Padded))
        {
            if (payload.IsEmpty) throw FrameSize("a padded frame without its pad length");
            padding = payload.Span[0];
            payload = payload[1..];
        }

        if (priority)
        {
            if (payload.Length < 5) throw FrameSize("a HEADERS frame too short for its priority fields");
            payload = payload[5..];
        }

        if (padding > payload.Length) throw Protocol($"{padding} octets of padding in a frame with {payload.Length} octets left");
        return payload[..^padding];
    }

    /// <summary>RFC 9113 §8.2.1: lower-case token names, values without NUL, CR or LF.</summary>
    private static void Validate(HeaderField field, string kind)
    {
        var name = field.Name;
        if (name.Length == 0) throw Malformed($"a {kind} with an empty name");
        foreach (var c in name)
        {
            if (c is >= 'a' and <= 'z' or >= '0' and <= '9' || "!#$%&'*+-.^_`|~".Contains(c)) continue;
            if (c == ':') throw Malformed($"the pseudo-header '{name}' after regular headers");
            throw Malformed($"the {kind} name '{name}' holds '{c}' (names are lower-case tokens in HTTP/2)");
        }

        if (field.Value.AsSpan().IndexOfAny('\0', '\r', '\n') >= 0) throw Malformed($"the {kind} '{name}' has NUL, CR or LF in its value");
    }

    private static int ParseStatus(string value)
    {
        if (value.Length != 3 || !int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var status) || status < 100)
        {
            throw Malformed($"the :status '{value}' is not a three-digit code");
        }

        return status;
    }

    private long ParseContentLength(string value)
    {
        if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var length)) throw Malformed($"the content-length '{value}' is not a number");
        if (_expectedLength >= 0 && _expectedLength != length) throw Malformed($"two content-lengths, {_expectedLength} and {length}");
        return length;
    }

    private static string Describe(Http2ErrorCode code) =>
        Enum.IsDefined(code) ? $"{code}, 0x{(uint)code:x}" : $"0x{(uint)code:x}";

    private static Http2ProtocolException Protocol(string message) => new(Http2ErrorCode.ProtocolError, message);

    private static Http2ProtocolException Malformed(string message) => new(Http2ErrorCode.ProtocolError, message, streamOnly: true);

    private static Http2ProtocolException FrameSize(string message) => new(Http2ErrorCode.FrameSizeError, message);

    private static Http2ProtocolException FlowControl(string message) => new(Http2ErrorCode.FlowControlError, message);
}
