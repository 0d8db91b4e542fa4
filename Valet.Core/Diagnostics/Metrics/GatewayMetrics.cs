using System.Diagnostics.Metrics;
using Valet.Core.Configuration;
using Valet.Core.Diagnostics.Traffic;

namespace Valet.Core.Diagnostics.Metrics;

/// <summary>
/// The instruments of the <c>Valet</c> meter. Tag values are low-cardinality strings: app names
/// (<c>-</c> for a request that named no served app), normalised methods, status classes, consumer
/// ids (bounded per app, see <see cref="AppTraffic.MaxConsumers"/>), endpoint addresses. The
/// request path passes tag lists cached in <see cref="AppTraffic"/> and <see cref="ConsumerTraffic"/>,
/// so recording allocates nothing.
/// </summary>
public sealed class GatewayMetrics : IDisposable
{
    public const string MeterName = "Valet";

    private static readonly KeyValuePair<string, object?>[] ReloadOk = [new("result", "ok")];
    private static readonly KeyValuePair<string, object?>[] ReloadFailed = [new("result", "failed")];

    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _upstreamDuration;
    private readonly UpDownCounter<long> _inFlight;
    private readonly Counter<long> _bytesIn;
    private readonly Counter<long> _bytesOut;
    private readonly Counter<long> _rateLimit;
    private readonly Counter<long> _reloads;
    private readonly Counter<long> _accessLogDropped;
    private LoadReport? _lastReport;
    private DateTimeOffset? _lastSuccess;

    public GatewayMetrics(ConfigManager config, TimeProvider time)
    {
        _requests = _meter.CreateCounter<long>("valet.requests", "{request}", "Requests answered, by app, method, status class and consumer.");
        _duration = _meter.CreateHistogram<double>("valet.request.duration", "s", "Time from the request's arrival to the end of its answer, by app.");
        _upstreamDuration = _meter.CreateHistogram<double>("valet.upstream.duration", "s", "Time an endpoint took to send its response headers, by app.");
        _inFlight = _meter.CreateUpDownCounter<long>("valet.requests.in_flight", "{request}", "Requests being handled now.");
        _bytesIn = _meter.CreateCounter<long>("valet.request.body", "By", "Request body bytes received, by app.");
        _bytesOut = _meter.CreateCounter<long>("valet.response.body", "By", "Response body bytes sent, by app.");
        _rateLimit = _meter.CreateCounter<long>("valet.ratelimit.decisions", "{request}", "Rate-limit decisions, by app and decision (admitted, rejected).");
        _reloads = _meter.CreateCounter<long>("valet.config.reloads", "{reload}", "Config loads (the first one included), by result (ok, failed).");
        _accessLogDropped = _meter.CreateCounter<long>("valet.accesslog.dropped", "{line}", "Access log lines dropped because the log output could not keep up.");
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

    /// <summary>One answered request: its count, duration and body bytes.</summary>
    public void RequestFinished(ConsumerTraffic traffic, string method, int status, double seconds, long bytesIn, long bytesOut)
    {
        _inFlight.Add(-1);
        _requests.Add(1, traffic.RequestTags(method, status));
        var app = traffic.App.AppTag;
        _duration.Record(seconds, app);
        if (bytesIn > 0) _bytesIn.Add(bytesIn, app);
        if (bytesOut > 0) _bytesOut.Add(bytesOut, app);
    }

    /// <summary>An endpoint of <paramref name="app"/> sent its response headers after <paramref name="seconds"/>.</summary>
    public void UpstreamAnswered(AppTraffic app, double seconds) => _upstreamDuration.Record(seconds, app.AppTag);

    public void RateLimitDecision(AppTraffic app, bool admitted) => _rateLimit.Add(1, app.DecisionTags(admitted));

    public void AccessLogDropped() => _accessLogDropped.Add(1);

    /// <summary>The method label: standard methods by name, others as <c>OTHER</c>.</summary>
    public static string NormaliseMethod(string method) => RequestMethods.Normalise(method);

    private void OnLoaded(LoadReport report)
    {
        _lastReport = report;
        if (report.Ok) _lastSuccess = report.At;
        _reloads.Add(1, report.Ok ? ReloadOk : ReloadFailed);
    }

    private static IEnumerable<Measurement<int>> EndpointHealth(ConfigManager config, TimeProvider time)
    {
        var now = time.GetUtcNow().UtcTicks;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var app in config.Current.Apps)
        {
            seen.Clear();
            foreach (var endpoint in app.Endpoints.Concat(app.Routes.SelectMany(r => r.Endpoints)))
            {
                if (!seen.Add(endpoint.BaseAddress)) continue;
                yield return new Measurement<int>(endpoint.State.IsHealthy(now) ? 1 : 0,
                    new KeyValuePair<string, object?>("app", app.Name), new KeyValuePair<string, object?>("endpoint", endpoint.BaseAddress));
            }
        }
    }

    public void Dispose() => _meter.Dispose();
}
