using System.Net;
using Valet.Core.Pipeline;

namespace Valet.Core.Aggregation;

/// <summary>
/// One client request's fan-out, shared by its parts: what every part sends (captured once, so
/// parts never read the <c>HttpContext</c> concurrently), the results by part index, and the one
/// cancellation that stops every part, with the reason that came first.
/// </summary>
internal sealed class FanOut(
    GatewayRequest gateway, AggregateModel aggregate, string clientMethod, IPAddress? clientIp, OutgoingHeaders headers, ReadOnlyMemory<byte> body)
{
    // Never disposed: it has no timer and no linked parent, so there is nothing to release, and a
    // late timer or abort callback may still call Cancel after the answer was written.
    private readonly CancellationTokenSource _cancel = new();
    private int _reason;

    public GatewayRequest Gateway { get; } = gateway;

    public AggregateModel Aggregate { get; } = aggregate;

    public string ClientMethod { get; } = clientMethod;

    public IPAddress? ClientIp { get; } = clientIp;

    public OutgoingHeaders Headers { get; } = headers;

    /// <summary>The client's body, sent to every part whose method carries one; empty when none does.</summary>
    public ReadOnlyMemory<byte> Body { get; } = body;

    /// <summary>Each part's result, at the part's index: the answer is merged in config order, never arrival order.</summary>
    public PartResult[] Results { get; } = new PartResult[aggregate.Parts.Length];

    public CancellationToken Token => _cancel.Token;

    public FanOutCancel Reason => (FanOutCancel)Volatile.Read(ref _reason);

    /// <summary>Cancels every part; the first reason given is kept.</summary>
    public void Cancel(FanOutCancel reason)
    {
        Interlocked.CompareExchange(ref _reason, (int)reason, (int)FanOutCancel.None);
        _cancel.Cancel();
    }

    /// <summary>Returns the parts' pooled buffers; call once the answer is written.</summary>
    public void ReturnBuffers()
    {
        for (var i = 0; i < Results.Length; i++)
        {
            if (Results[i].Rented is { } rented) System.Buffers.ArrayPool<byte>.Shared.Return(rented);
            Results[i] = default;
        }
    }
}
