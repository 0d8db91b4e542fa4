namespace Valet.Core.RateLimiting;

/// <summary>The answer of a counter store: admitted or not, and requests used in the window (including this one when admitted).</summary>
public readonly record struct CounterResult(bool Admitted, long Used);
