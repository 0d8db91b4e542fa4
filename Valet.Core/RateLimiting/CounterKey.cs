namespace Valet.Core.RateLimiting;

/// <summary>One rate-limit budget in one window: (app, partition, period, window id).</summary>
/// <param name="App">App name.</param>
/// <param name="Partition">"*" for the whole app, else the consumer id or client IP.</param>
/// <param name="Period">Window length in seconds (part of the key: a new period starts new counts).</param>
/// <param name="Window">floor(unix seconds / period): nodes agree on it without talking.</param>
public readonly record struct CounterKey(string App, string Partition, int Period, long Window);
