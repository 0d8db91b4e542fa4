namespace Valet.Core.Diagnostics.Traffic;

/// <summary>
/// One consumer's traffic on one app: totals since start and the figures of the current window
/// (the app's rate-limit period, aligned on the Unix epoch like the limiter's windows; 60 s for an
/// app without a limit). Lock-free: counters are interlocked; at a window's edge a request racing
/// the switch may count in the window before or after. Also caches the tag lists of the
/// <c>valet.requests</c> counter, one per method and status class, so recording allocates nothing.
/// </summary>
public sealed class ConsumerTraffic
{
    private static readonly string[] StatusClasses = ["1xx", "2xx", "3xx", "4xx", "5xx"];

    private readonly KeyValuePair<string, object?>[]?[] _requestTags = new KeyValuePair<string, object?>[]?[RequestMethods.Count * StatusClasses.Length];
    private readonly Lock _windowGate = new();
    private long _requests;
    private long _rejected;
    private long _bytesIn;
    private long _bytesOut;
    private long _window = long.MinValue;
    private long _windowPeriodMs;
    private long _windowRequests;
    private long _windowRejected;
    private long _windowBytesIn;
    private long _windowBytesOut;
    private long _lastSeenMs;

    internal ConsumerTraffic(AppTraffic app, string id)
    {
        App = app;
        Id = id;
    }

    public AppTraffic App { get; }

    public string Id { get; }

    /// <summary>Adds one answered request: <paramref name="rejected"/> when the rate limit refused it.</summary>
    public void Record(long nowMs, int periodSeconds, bool rejected, long bytesIn, long bytesOut)
    {
        Interlocked.Increment(ref _requests);
        if (rejected) Interlocked.Increment(ref _rejected);
        if (bytesIn > 0) Interlocked.Add(ref _bytesIn, bytesIn);
        if (bytesOut > 0) Interlocked.Add(ref _bytesOut, bytesOut);
        Volatile.Write(ref _lastSeenMs, nowMs);

        var periodMs = periodSeconds * 1000L;
        var window = nowMs / periodMs;
        if (Volatile.Read(ref _window) != window || Volatile.Read(ref _windowPeriodMs) != periodMs) StartWindow(window, periodMs);
        Interlocked.Increment(ref _windowRequests);
        if (rejected) Interlocked.Increment(ref _windowRejected);
        if (bytesIn > 0) Interlocked.Add(ref _windowBytesIn, bytesIn);
        if (bytesOut > 0) Interlocked.Add(ref _windowBytesOut, bytesOut);
    }

    private void StartWindow(long window, long periodMs)
    {
        lock (_windowGate)
        {
            if (_window == window && _windowPeriodMs == periodMs) return;

            // A later window only: a request that read the clock before the switch must not reset it back.
            if (_windowPeriodMs == periodMs && _window > window) return;
            Volatile.Write(ref _windowRequests, 0);
            Volatile.Write(ref _windowRejected, 0);
            Volatile.Write(ref _windowBytesIn, 0);
            Volatile.Write(ref _windowBytesOut, 0);
            Volatile.Write(ref _windowPeriodMs, periodMs);
            Volatile.Write(ref _window, window);
        }
    }

    /// <summary>The figures at <paramref name="nowMs"/> for windows of <paramref name="periodSeconds"/>.</summary>
    public TrafficSnapshot Snapshot(long nowMs, int periodSeconds)
    {
        var periodMs = periodSeconds * 1000L;
        var window = nowMs / periodMs;
        var current = Volatile.Read(ref _window) == window && Volatile.Read(ref _windowPeriodMs) == periodMs;
        var last = Volatile.Read(ref _lastSeenMs);
        return new TrafficSnapshot(
            Interlocked.Read(ref _requests), Interlocked.Read(ref _rejected), Interlocked.Read(ref _bytesIn), Interlocked.Read(ref _bytesOut),
            window, periodMs - nowMs % periodMs,
            current ? Interlocked.Read(ref _windowRequests) : 0,
            current ? Interlocked.Read(ref _windowRejected) : 0,
            current ? Interlocked.Read(ref _windowBytesIn) : 0,
            current ? Interlocked.Read(ref _windowBytesOut) : 0,
            last == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(last));
    }

    /// <summary>The cached tags of <c>valet.requests</c> for this app and consumer, a method and a status.</summary>
    public KeyValuePair<string, object?>[] RequestTags(string method, int status)
    {
        var m = RequestMethods.Index(method);
        var s = status is >= 100 and < 600 ? status / 100 - 1 : 4;
        ref var slot = ref _requestTags[m * StatusClasses.Length + s];
        return slot ??= [new("app", App.Name), new("method", RequestMethods.Names[m]), new("status", StatusClasses[s]), new("consumer", Id)];
    }
}

/// <summary>A consumer's figures at one moment: totals since start and the current window's.</summary>
public readonly record struct TrafficSnapshot(
    long Requests, long Rejected, long BytesIn, long BytesOut,
    long Window, long WindowResetMs, long WindowRequests, long WindowRejected, long WindowBytesIn, long WindowBytesOut,
    DateTimeOffset? LastSeen);
