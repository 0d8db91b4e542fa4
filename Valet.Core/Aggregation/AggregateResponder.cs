using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Valet.Core.Configuration;
using Valet.Core.Diagnostics;
using Valet.Core.Forwarding;
using Valet.Core.Pipeline;
using Valet.Core.RateLimiting;

namespace Valet.Core.Aggregation;

/// <summary>
/// Serves an aggregate app (pipeline step "serve", after the aggregate's own CORS, methods, auth,
/// rate limit and body size):
/// 1. read the client's body once, bounded by <c>maxBodyBytes</c> (8 MiB when unset), when any
///    part is to get it;
/// 2. capture the headers every part sends;
/// 3. start every part at once; each waits for a fan-out slot (bounded across the daemon), then
///    runs through its app's pipeline (<see cref="PartCaller"/>). A required part that fails
///    cancels the others; the aggregate's timeout and a client abort cancel them all;
/// 4. when every part has ended, answer: the merged object in config order (200, with
///    <c>X-Valet-Completed</c>), or a 502 / 504 problem naming the required parts that failed.
/// </summary>
public sealed class AggregateResponder
{
    private readonly PartCaller _caller;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _slots;
    private readonly int _maxSlots;
    private int _waiting;

    public AggregateResponder(UpstreamDispatcher dispatcher, WindowRateLimiter limiter, GatewayOptions options, TimeProvider time,
        ILogger<AggregateResponder> logger, RequestObserver observer)
    {
        _caller = new PartCaller(dispatcher, limiter, time, observer);
        _time = time;
        _logger = logger;
        _maxSlots = options.MaxAggregatePartsInFlight;
        _slots = new SemaphoreSlim(_maxSlots, _maxSlots);
    }

    /// <summary>Parts holding a fan-out slot now, across all requests.</summary>
    public int PartsInFlight => _maxSlots - _slots.CurrentCount;

    /// <summary>Parts waiting for a fan-out slot now.</summary>
    public int PartsWaiting => Volatile.Read(ref _waiting);

    public async Task RespondAsync(HttpContext context, GatewayRequest gateway, AggregateModel aggregate)
    {
        // 1. body
        var app = gateway.App;
        var request = context.Request;
        ReadOnlyMemory<byte> body = default;
        if (aggregate.AnyPartSendsBody(request.Method) && HttpForwarder.HasBody(context))
        {
            var max = app.MaxBodyBytes ?? AggregateConfig.DefaultMaxBodyBytes;
            BoundedBuffer read;
            try
            {
                read = await BoundedBuffer.ReadAsync(request.Body, request.ContentLength, (int)max, context.RequestAborted).ConfigureAwait(false);
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                await TooLargeAsync(context, gateway, max).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
                // The client went away or broke off its body: there is no one to answer.
                return;
            }

            if (read.TooLarge)
            {
                await TooLargeAsync(context, gateway, max).ConfigureAwait(false);
                return;
            }

            // A copy the pool never sees again: a part's send may still read it after its answer came.
            body = read.Memory.ToArray();
            read.Return();
        }

        // 2. headers
        var fanOut = new FanOut(gateway, aggregate, request.Method, context.Connection.RemoteIpAddress,
            OutgoingHeaders.Capture(context, gateway, aggregate), body);
        try
        {
            // 3. fan out
            using (_time.CreateTimer(static s => ((FanOut)s!).Cancel(FanOutCancel.TimedOut), fanOut, aggregate.Timeout, Timeout.InfiniteTimeSpan))
            using (context.RequestAborted.UnsafeRegister(static s => ((FanOut)s!).Cancel(FanOutCancel.ClientAborted), fanOut))
            {
                var parts = new Task[aggregate.Parts.Length];
                for (var i = 0; i < parts.Length; i++) parts[i] = RunPartAsync(fanOut, i);
                await Task.WhenAll(parts).ConfigureAwait(false);
            }

            // 4. answer
            if (context.RequestAborted.IsCancellationRequested) return;
            await AnswerAsync(context, fanOut).ConfigureAwait(false);
        }
        finally
        {
            fanOut.ReturnBuffers();
        }
    }

    private async Task RunPartAsync(FanOut fanOut, int index)
    {
        var part = fanOut.Aggregate.Parts[index];
        var started = _time.GetTimestamp();
        var own = part.Timeout is { } timeout ? new CancellationTokenSource(timeout, _time) : null;
        var link = own is null ? default : fanOut.Token.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), own);
        var token = own?.Token ?? fanOut.Token;
        var slot = false;
        PartResult result;
        try
        {
            Interlocked.Increment(ref _waiting);
            try
            {
                await _slots.WaitAsync(token).ConfigureAwait(false);
                slot = true;
            }
            finally
            {
                Interlocked.Decrement(ref _waiting);
            }

            result = await _caller.CallAsync(fanOut, part, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            result = fanOut.Reason switch
            {
                // The part's own timer: the fan-out itself was not cancelled.
                FanOutCancel.None => PartResult.TimedOut($"timed out after {part.Timeout!.Value.TotalSeconds}s (the part's timeout)"),
                FanOutCancel.TimedOut => PartResult.TimedOut($"timed out after {fanOut.Aggregate.Timeout.TotalSeconds}s (the aggregate's timeout)"),
                FanOutCancel.RequiredPartFailed => PartResult.Cancelled("cancelled: a required part failed"),
                _ => PartResult.Cancelled("cancelled: the client went away"),
            };
        }
        finally
        {
            if (slot) _slots.Release();
            link.Dispose();
            own?.Dispose();
        }

        fanOut.Results[index] = result with { Duration = _time.GetElapsedTime(started) };
        if (part.Required && result.Outcome != PartOutcome.Succeeded) fanOut.Cancel(FanOutCancel.RequiredPartFailed);
    }

    private Task AnswerAsync(HttpContext context, FanOut fanOut)
    {
        var parts = fanOut.Aggregate.Parts;
        var results = fanOut.Results;
        var completed = true;
        var timedOutOnly = true;
        List<int>? failed = null;
        for (var i = 0; i < parts.Length; i++)
        {
            var outcome = results[i].Outcome;
            if (outcome == PartOutcome.Succeeded) continue;
            completed = false;
            // A part cancelled because a required sibling failed did not fail itself.
            if (!parts[i].Required || outcome == PartOutcome.Cancelled) continue;
            (failed ??= []).Add(i);
            if (outcome != PartOutcome.TimedOut) timedOutOnly = false;
        }

        context.Response.Headers[AggregateWriter.CompletedHeader] = completed ? "true" : "false";
        if (failed is null) return AggregateWriter.WriteAsync(context, fanOut);

        var gateway = fanOut.Gateway;
        foreach (var i in failed) AggregateLog.RequiredPartFailed(_logger, gateway.App.Name, parts[i].Key, parts[i].App, results[i].Error, gateway.RequestId);
        var detail = failed.Count == 1
            ? $"required part '{parts[failed[0]].Key}' (app '{parts[failed[0]].App}') failed: {results[failed[0]].Error}"
            : $"required parts {string.Join(", ", failed.Select(i => $"'{parts[i].Key}'"))} failed";
        return ProblemWriter.WriteAsync(context, timedOutOnly ? GatewayError.AggregatePartTimedOut : GatewayError.AggregatePartFailed,
            gateway.App.Name, gateway.RequestId, detail, extensions: json => WriteFailedParts(json, parts, results, failed));
    }

    private static void WriteFailedParts(Utf8JsonWriter json, AggregatePartModel[] parts, PartResult[] results, List<int> failed)
    {
        json.WriteStartArray("parts");
        foreach (var i in failed)
        {
            json.WriteStartObject();
            json.WriteString("key", parts[i].Key);
            json.WriteString("app", parts[i].App);
            json.WriteNumber("status", results[i].Status);
            json.WriteString("error", results[i].Error);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static Task TooLargeAsync(HttpContext context, GatewayRequest gateway, long max) =>
        ProblemWriter.WriteAsync(context, GatewayError.PayloadTooLarge, gateway.App.Name, gateway.RequestId,
            $"the request body is larger than {max} bytes, the most aggregate '{gateway.App.Name}' holds to send to its parts");
}
