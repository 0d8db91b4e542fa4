namespace Valet.Peering.Membership;

/// <summary>Capped exponential reconnect delay with ±20% jitter, so restarted peers do not reconnect in lockstep.</summary>
public sealed class Backoff(TimeSpan first, TimeSpan max)
{
    private readonly TimeSpan _first = first;
    private TimeSpan _next = first;

    public TimeSpan Next()
    {
        var current = _next;
        _next = TimeSpan.FromTicks(Math.Min(max.Ticks, current.Ticks * 2));
        var jitter = 0.8 + (Random.Shared.NextDouble() * 0.4);
        return TimeSpan.FromTicks((long)(current.Ticks * jitter));
    }

    public void Reset() => _next = _first;
}
