namespace Valet.Core.Aggregation;

/// <summary>
/// The result of one part: how it ended, the status (the app's answer, or the status a direct
/// request would have got from Valet; 0 when cancelled), the error, and the buffered body.
/// </summary>
internal readonly record struct PartResult(PartOutcome Outcome, int Status, string? Error)
{
    /// <summary>The answer's body (meaningful when <see cref="Outcome"/> is <see cref="PartOutcome.Succeeded"/>).</summary>
    public ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>Whether the answer says it is JSON.</summary>
    public bool IsJson { get; init; }

    /// <summary>The pooled array holding <see cref="Body"/>, to return once the answer is written; null for a mock's body.</summary>
    public byte[]? Rented { get; init; }

    public TimeSpan Duration { get; init; }

    public static PartResult Answered(int status, ReadOnlyMemory<byte> body, bool isJson, byte[]? rented) =>
        status is >= 200 and < 300
            ? new PartResult(PartOutcome.Succeeded, status, null) { Body = body, IsJson = isJson, Rented = rented }
            : new PartResult(PartOutcome.ErrorStatus, status, $"answered {status}") { Rented = rented };

    public static PartResult Failed(int status, string error) => new(PartOutcome.Failed, status, error);

    public static PartResult TimedOut(string error) => new(PartOutcome.TimedOut, 504, error);

    public static PartResult Cancelled(string error) => new(PartOutcome.Cancelled, 0, error);
}
