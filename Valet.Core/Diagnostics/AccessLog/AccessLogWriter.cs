using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace Valet.Core.Diagnostics.AccessLog;

/// <summary>
/// Writes the access log off the request path: requests hand an <see cref="AccessLogEntry"/> (a
/// struct of references, no formatting) to a bounded channel and go on; one background thread
/// formats lines into a reused buffer and writes them in batches of whole lines (at most
/// <see cref="ChunkBytes"/> per write, so lines never interleave with other writers of the same
/// pipe). When the output cannot keep up and the channel is full, lines are dropped and counted
/// (<c>valet_accesslog_dropped_total</c>) rather than slowing requests.
/// </summary>
public sealed class AccessLogWriter : IAsyncDisposable
{
    public const int DefaultCapacity = 16 * 1024;

    /// <summary>PIPE_BUF on Linux: writes up to this size to a pipe are atomic.</summary>
    public const int ChunkBytes = 4096;

    private static readonly JsonEncodedText TimeName = JsonEncodedText.Encode("time");
    private static readonly JsonEncodedText RequestIdName = JsonEncodedText.Encode("requestId");
    private static readonly JsonEncodedText TraceIdName = JsonEncodedText.Encode("traceId");
    private static readonly JsonEncodedText RemoteName = JsonEncodedText.Encode("remote");
    private static readonly JsonEncodedText AppName = JsonEncodedText.Encode("app");
    private static readonly JsonEncodedText ConsumerName = JsonEncodedText.Encode("consumer");
    private static readonly JsonEncodedText MethodName = JsonEncodedText.Encode("method");
    private static readonly JsonEncodedText PathName = JsonEncodedText.Encode("path");
    private static readonly JsonEncodedText ProtocolName = JsonEncodedText.Encode("protocol");
    private static readonly JsonEncodedText StatusName = JsonEncodedText.Encode("status");
    private static readonly JsonEncodedText DurationName = JsonEncodedText.Encode("durationMs");
    private static readonly JsonEncodedText UpstreamName = JsonEncodedText.Encode("upstream");
    private static readonly JsonEncodedText BytesInName = JsonEncodedText.Encode("bytesIn");
    private static readonly JsonEncodedText BytesOutName = JsonEncodedText.Encode("bytesOut");

    private readonly Channel<AccessLogEntry> _channel;
    private readonly Stream _output;
    private readonly AccessLogFormat _format;
    private readonly LineBuffer _buffer = new(16 * 1024);
    private readonly Utf8JsonWriter _json;
    private readonly Thread _thread;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _written;
    private long _dropped;
    private long _failedWrites;

    public AccessLogWriter(AccessLogFormat format, Stream output, Action? onDropped = null, int capacity = DefaultCapacity)
    {
        if (format == AccessLogFormat.Off) throw new ArgumentOutOfRangeException(nameof(format), "an access log that is off has no writer");
        _format = format;
        _output = output;
        _channel = Channel.CreateBounded<AccessLogEntry>(
            new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true, AllowSynchronousContinuations = false },
            _ =>
            {
                Interlocked.Increment(ref _dropped);
                onDropped?.Invoke();
            });
        _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions
        {
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            SkipValidation = true,
        });
        _thread = new Thread(Run) { IsBackground = true, Name = "valet-access-log" };
        _thread.Start();
    }

    public AccessLogFormat Format => _format;

    /// <summary>Lines written to the output.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Lines dropped: the channel was full, or the output failed.</summary>
    public long Dropped => Interlocked.Read(ref _dropped) + Interlocked.Read(ref _failedWrites);

    /// <summary>Queues one line; never blocks.</summary>
    public void Write(in AccessLogEntry entry) => _channel.Writer.TryWrite(entry);

    private void Run()
    {
        var reader = _channel.Reader;
        try
        {
            while (true)
            {
                var wait = reader.WaitToReadAsync();
                var more = wait.IsCompletedSuccessfully ? wait.Result : wait.AsTask().GetAwaiter().GetResult();
                if (!more) break;
                var lines = 0;
                while (reader.TryRead(out var entry))
                {
                    var lineStart = _buffer.Count;
                    Append(entry);
                    lines++;
                    if (lineStart > 0 && _buffer.Count > ChunkBytes)
                    {
                        WriteOut(lineStart, lines - 1);
                        lines = 1;
                    }
                }

                WriteOut(_buffer.Count, lines);
                Flush();
            }
        }
        finally
        {
            _stopped.TrySetResult();
        }
    }

    private void WriteOut(int bytes, int lines)
    {
        if (bytes == 0) return;
        try
        {
            _output.Write(_buffer.Written[..bytes]);
            Interlocked.Add(ref _written, lines);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or NotSupportedException)
        {
            Interlocked.Add(ref _failedWrites, lines);
        }

        _buffer.Consume(bytes);
    }

    private void Flush()
    {
        try
        {
            _output.Flush();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or NotSupportedException)
        {
        }
    }

    private void Append(in AccessLogEntry entry)
    {
        if (_format == AccessLogFormat.Json) AppendJson(entry);
        else AppendClf(entry);
        _buffer.Append((byte)'\n');
    }

    private void AppendJson(in AccessLogEntry e)
    {
        var json = _json;
        json.Reset();
        json.WriteStartObject();
        Span<byte> scratch = stackalloc byte[64];
        DateTime.UnixEpoch.AddMilliseconds(e.UnixMs).TryFormat(scratch, out var n, "yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        json.WriteString(TimeName, scratch[..n]);
        json.WriteString(RequestIdName, e.RequestId);
        Span<char> trace = stackalloc char[32];
        RequestRecord.Hex(e.TraceId, trace);
        json.WriteString(TraceIdName, trace);
        if (e.Remote is { } remote && Normalise(remote).TryFormat(scratch, out n)) json.WriteString(RemoteName, scratch[..n]);
        else json.WriteNull(RemoteName);
        WriteOrNull(json, AppName, e.App);
        WriteOrNull(json, ConsumerName, e.Consumer);
        json.WriteString(MethodName, e.Method);
        json.WriteString(PathName, e.Path);
        json.WriteString(ProtocolName, e.Protocol);
        json.WriteNumber(StatusName, e.Status);
        json.WriteNumber(DurationName, Math.Round(e.DurationMs, 3));
        WriteOrNull(json, UpstreamName, e.Upstream);
        json.WriteNumber(BytesInName, e.BytesIn);
        json.WriteNumber(BytesOutName, e.BytesOut);
        json.WriteEndObject();
        json.Flush();
    }

    private static void WriteOrNull(Utf8JsonWriter json, JsonEncodedText name, string? value)
    {
        if (value is null) json.WriteNull(name);
        else json.WriteString(name, value);
    }

    // 127.0.0.1 - alice [22/Nov/2026:05:48:01 +0000] "GET /svc/x HTTP/1.1" 200 512 app=svc request_id=... trace_id=... duration_ms=1.2 upstream=http://10.0.0.5:8080 bytes_in=0
    private void AppendClf(in AccessLogEntry e)
    {
        var variable = e.RequestId.Length + (e.App?.Length ?? 1) + (e.Consumer?.Length ?? 1) + e.Method.Length + e.PathLength
            + e.Protocol.Length + (e.Upstream?.Length ?? 1);
        var span = _buffer.GetSpan(256 + variable * 12);
        var at = 0;
        if (e.Remote is { } remote && Normalise(remote).TryFormat(span, out var n)) at += n;
        else span[at++] = (byte)'-';
        at += Ascii(span[at..], " - ");
        at += Escaped(span[at..], e.Consumer);
        at += Ascii(span[at..], " [");
        DateTime.UnixEpoch.AddMilliseconds(e.UnixMs).TryFormat(span[at..], out n, "dd/MMM/yyyy:HH:mm:ss", CultureInfo.InvariantCulture);
        at += n;
        at += Ascii(span[at..], " +0000] \"");
        at += Escaped(span[at..], e.Method);
        span[at++] = (byte)' ';
        at += Escaped(span[at..], e.Path);
        span[at++] = (byte)' ';
        at += Escaped(span[at..], e.Protocol);
        at += Ascii(span[at..], "\" ");
        e.Status.TryFormat(span[at..], out n, default, CultureInfo.InvariantCulture);
        at += n;
        span[at++] = (byte)' ';
        if (e.BytesOut > 0)
        {
            e.BytesOut.TryFormat(span[at..], out n, default, CultureInfo.InvariantCulture);
            at += n;
        }
        else
        {
            span[at++] = (byte)'-';
        }

        at += Ascii(span[at..], " app=");
        at += Escaped(span[at..], e.App);
        at += Ascii(span[at..], " request_id=");
        at += Escaped(span[at..], e.RequestId);
        at += Ascii(span[at..], " trace_id=");
        Span<char> trace = stackalloc char[32];
        RequestRecord.Hex(e.TraceId, trace);
        at += Escaped(span[at..], trace);
        at += Ascii(span[at..], " duration_ms=");
        Math.Round(e.DurationMs, 3).TryFormat(span[at..], out n, "0.###", CultureInfo.InvariantCulture);
        at += n;
        at += Ascii(span[at..], " upstream=");
        at += Escaped(span[at..], e.Upstream);
        at += Ascii(span[at..], " bytes_in=");
        e.BytesIn.TryFormat(span[at..], out n, default, CultureInfo.InvariantCulture);
        at += n;
        _buffer.Advance(at);
    }

    private static IPAddress Normalise(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private static int Ascii(Span<byte> target, string text)
    {
        for (var i = 0; i < text.Length; i++) target[i] = (byte)text[i];
        return text.Length;
    }

    /// <summary>
    /// A CLF field: <c>-</c> when absent; printable ASCII as is; anything else (space, quote,
    /// backslash, control and non-ASCII characters, as UTF-8 bytes) as <c>\xHH</c>, so a field never
    /// splits the line or its quoting.
    /// </summary>
    private static int Escaped(Span<byte> target, ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            target[0] = (byte)'-';
            return 1;
        }

        var at = 0;
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is > ' ' and < (char)0x7f and not '"' and not '\\')
            {
                target[at++] = (byte)c;
                continue;
            }

            var count = 1;
            if (c < 0x80) utf8[0] = (byte)c;
            else
            {
                var length = char.IsHighSurrogate(c) && i + 1 < text.Length ? 2 : 1;
                if (Rune.DecodeFromUtf16(text.Slice(i, length), out var rune, out var used) == System.Buffers.OperationStatus.Done)
                {
                    count = rune.EncodeToUtf8(utf8);
                    i += used - 1;
                }
                else
                {
                    utf8[0] = (byte)'?';
                }
            }

            for (var k = 0; k < count; k++)
            {
                target[at++] = (byte)'\\';
                target[at++] = (byte)'x';
                target[at++] = Hex(utf8[k] >> 4);
                target[at++] = Hex(utf8[k] & 0xf);
            }
        }

        return at;
    }

    private static int Escaped(Span<byte> target, string? text) => Escaped(target, text.AsSpan());

    private static byte Hex(int nibble) => (byte)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);

    public async ValueTask DisposeAsync()
    {
        _channel.Writer.TryComplete();
        try
        {
            await _stopped.Task.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The output is stuck (a full pipe nobody reads): leave the thread to the process exit.
            return;
        }

        _json.Dispose();
    }
}
