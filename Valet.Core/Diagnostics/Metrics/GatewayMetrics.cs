using System.Diagnostics.Metrics;
using Valet.Core.Configuration;

namespace Valet.Core.Diagnostics.Metrics;

/// <summary>
/// The instruments of the <c>Valet</c> meter. Tag values are low-cardinality strings: app names,
/// normalised methods, status classes, consumer ids, endpoint addresses.
/// </summary>
public sealed class GatewayMetrics : IDisposable
{
    public const string MeterName = "Valet";

    /// <summary>The tag value for "no app" (the request named none) and "no consumer".</summary>
    public const string None = "-";

    private static readonly string[] StatusClasses = ["1xx", "2xx", "3xx", "4xx", "5xx"];
    private static readonly HashSet<string> KnownMethods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"];

    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _upstreamDuration;
    private readonly UpDownCounter<long> _inFlight;
    private readonly Counter<long> _rateLimit;
    private readonly Counter<long> _reloads;
    private LoadReport? _lastReport;
    private DateTimeOffset? _lastSuccess;

    public GatewayMetrics(ConfigManager config, TimeProvider time)
    {
        _requests = _meter.CreateCounter<long>("valet.requests", "{request}", "Requests answered, by app, method, status class and consumer.");
        _duration = _meter.CreateHistogram<double>("valet.request.duration", "s", "Time from request to the end of the answer, by app.");
        _upstreamDuration = _meter.CreateHistogram<double>("valet.upstream.duration", "s", "Time an endpoint took to send its response headers, by app.");
        _inFlight = _meter.CreateUpDownCounter<long>("valet.requests.in_flight", "{request}", "Requests being handled now.");
        _rateLimit = _meter.CreateCounter<long>("valet.ratelimit.decisions", "{request}", "Rate-limit decisions, by app and decision (admitted, rejected).");
        _reloads = _meter.CreateCounter<long>("valet.config.reloads", "{reload}", "Config loads, by result (ok, failed).");
        _meter.CreateObservableGauge("valet.config.last_reload_success", () => _lastReport is { } r ? (r.Ok ? 1 : 0) : 0,
            null, "1 when the last config load applied every app file, else 0.");
        _meter.CreateObservableGauge("valet.config.last_reload_success_time", () => _lastSuccess?.ToUnixTimeMilliseconds() / 1000.0 ?? 0,
            "s", "Unix time of the last config load without a failed app.");
        _meter.CreateObservableGauge("valet.apps", () => config.Current.Count, "{app}", "Apps served.");
        _meter.CreateObservableGauge("valet.endpoint.healthy", () => EndpointHealth(config, time), null,
            "1 when an endpoint is in rotation, 0 while it cools down after failures; by app and endpoint.");
        config.Loaded += OnLoaded;
        if (config.LastReport is { } done) OnLoaded(done);
    }

    public Meter Meter => _meter;

    public void RequestStarted() => _inFlight.Add(1);

    public void RequestFinished(string app, string method, int status, string consumer, double seconds)
    {
        _inFlight.Add(-1);
        var statusClass = status is >= 100 and < 600 ? StatusClasses[status / 100 - 1] : "5xx";
        _requests.Add(1, new KeyValuePair<string, object?>("app", app), new KeyValuePair<string, object?>("method", NormaliseMethod(method)),
            new KeyValuePair<string, object?>("status", statusClass), new KeyValuePair<string, object?>("consumer", consumer));
        _duration.Record(seconds, new KeyValuePair<string, object?>("app", app));
    }

    public void UpstreamAnswered(string app, double seconds) => _upstreamDuration.Record(seconds, new KeyValuePair<string, object?>("app", app));

    public void RateLimitDecision(string app, bool admitted) =>
        _rateLimit.Add(1, new KeyValuePair<string, object?>("app", app), new KeyValuePair<string, object?>("decision", admitted ? "admitted" : "rejected"));

    public static string NormaliseMethod(string method) => KnownMethods.Contains(method) ? method : "OTHER";

    private void OnLoaded(LoadReport report)
    {
        _lastReport = report;
        if (report.Ok) _lastSuccess = report.At;
        _reloads.Add(1, new KeyValuePair<string, object?>("result", report.Ok ? "ok" : "failed"));
    }

    private static IEnumerable<Measurement<int>> EndpointHealth(ConfigManager config, TimeProvider time)
    {
        var now = time.GetUtcNow().UtcTicks;
        foreach (var app in config.Current.Apps)
        {
            foreach (var endpoint in app.Endpoints)
            {
                yield return new Measurement<int>(endpoint.State.IsHealthy(now) ? 1 : 0,
                    new KeyValuePair<string, object?>("app", app.Name), new KeyValuePair<string, object?>("endpoint", endpoint.BaseAddress));
            }
        }
    }

    public void Dispose() => _meter.Dispose();
}
