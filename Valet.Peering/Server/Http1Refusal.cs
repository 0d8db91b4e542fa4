using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Connections;

namespace Valet.Peering.Server;

/// <summary>
/// Connection middleware for the cleartext peer listener: HTTP/2 by prior knowledge starts with the
/// connection preface; anything else (an HTTP/1.1 request) gets <c>426 Upgrade Required</c> and the
/// connection is closed, rather than Kestrel's generic 400. The bytes looked at are left unconsumed,
/// so Kestrel's HTTP/2 parser reads the preface itself.
/// </summary>
public static class Http1Refusal
{
    private static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    private static readonly byte[] Answer = Encoding.ASCII.GetBytes(
        "HTTP/1.1 426 Upgrade Required\r\nUpgrade: h2c\r\nConnection: Upgrade, close\r\nContent-Type: text/plain\r\nContent-Length: 57\r\n\r\n" +
        "this port speaks gRPC over HTTP/2 only (prior knowledge)\n");

    public static Func<ConnectionDelegate, ConnectionDelegate> Middleware => next => async connection =>
    {
        if (await IsHttp2Async(connection.Transport.Input, connection.ConnectionClosed).ConfigureAwait(false))
        {
            await next(connection).ConfigureAwait(false);
            return;
        }

        try
        {
            await connection.Transport.Output.WriteAsync(Answer).ConfigureAwait(false);
            await connection.Transport.Output.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ConnectionResetException)
        {
            // The client left already.
        }
    };

    private static async Task<bool> IsHttp2Async(PipeReader input, CancellationToken closed)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(closed);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        while (true)
        {
            ReadResult result;
            try
            {
                result = await input.ReadAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or ConnectionResetException)
            {
                return false;
            }

            var buffer = result.Buffer;
            var verdict = Compare(buffer);
            if (verdict is not null || result.IsCompleted)
            {
                // Leave everything for Kestrel (consumed = examined = start: the next read returns at once).
                input.AdvanceTo(buffer.Start);
                return verdict ?? false;
            }

            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    // True: the preface; false: something else; null: too short to tell.
    private static bool? Compare(in ReadOnlySequence<byte> buffer)
    {
        var length = (int)Math.Min(buffer.Length, Preface.Length);
        Span<byte> head = stackalloc byte[Preface.Length];
        buffer.Slice(0, length).CopyTo(head);
        if (!head[..length].SequenceEqual(Preface.AsSpan(0, length))) return false;
        return length == Preface.Length ? true : null;
    }
}
