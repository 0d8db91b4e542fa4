using System.Text.Json;
using Valet.Core.Configuration;
using Valet.Core.Diagnostics.Traffic;
using Valet.Core.RateLimiting;
using Valet.Core.Routing;

namespace Valet.Daemon.Admin;

/// <summary>
/// What <c>GET /apis/{name}/consumers</c> shows: for each consumer of the app (the configured ones,
/// and every one seen since start), the use in the current window and the totals since start:
/// requests answered, requests the rate limit rejected, body bytes in and out. Figures are this
/// node's and survive reloads; with a per-consumer limit, the limiter's figure for the window
/// (the cluster's, once peers share counts) is shown beside them. Never a key.
/// </summary>
public static class ConsumersView
{
    /// <summary>The window of an app without a rate limit.</summary>
    public const int DefaultWindowSeconds = 60;

    public static void Write(Utf8JsonWriter json, AppModel app, AppTraffic? traffic, WindowRateLimiter limiter, DateTimeOffset now)
    {
        var limit = app.RateLimit;
        var period = limit?.Period ?? DefaultWindowSeconds;
        var nowMs = now.ToUnixTimeMilliseconds();
        var periodMs = period * 1000L;

        json.WriteStartObject();
        json.WriteString("app", app.Name);
        json.WriteString("at", now);
        json.WriteStartObject("window");
        json.WriteNumber("seconds", period);
        json.WriteNumber("id", nowMs / periodMs);
        json.WriteString("start", DateTimeOffset.FromUnixTimeMilliseconds(nowMs / periodMs * periodMs));
        json.WriteNumber("resetSeconds", (long)Math.Ceiling((periodMs - nowMs % periodMs) / 1000.0));
        json.WriteString("source", limit is null ? "default" : "rateLimit");
        json.WriteEndObject();

        if (limit is null) json.WriteNull("rateLimit");
        else
        {
            json.WriteStartObject("rateLimit");
            json.WriteNumber("limitValue", limit.Limit);
            json.WriteNumber("limitPeriod", limit.Period);
            json.WriteString("limitBy", limit.By.ToString().ToLowerInvariant());
            json.WriteEndObject();
        }

        var configured = app.Authenticator?.ConsumerIds ?? [];
        var ids = new SortedSet<string>(configured, StringComparer.Ordinal);
        if (traffic is not null) foreach (var seen in traffic.Consumers) ids.Add(seen.Id);
        var configuredSet = configured.ToHashSet(StringComparer.Ordinal);

        json.WriteStartArray("consumers");
        foreach (var id in ids)
        {
            json.WriteStartObject();
            json.WriteString("id", id);
            json.WriteBoolean("configured", configuredSet.Contains(id));
            if (id == AppTraffic.OtherConsumers) json.WriteString("note", $"every consumer past the first {AppTraffic.MaxConsumers} seen, together");
            var snapshot = traffic?.FindConsumer(id)?.Snapshot(nowMs, period) ?? default;
            WriteFigures(json, snapshot);
            if (limit is { By: LimitBy.Consumer } && id != AppTraffic.OtherConsumers) WriteLimiter(json, app, limit, id, limiter);
            json.WriteEndObject();
        }

        json.WriteEndArray();

        // Requests without a consumer: a public app's, and those refused before a consumer was known.
        json.WriteStartObject("anonymous");
        WriteFigures(json, traffic?.Anonymous.Snapshot(nowMs, period) ?? default);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteFigures(Utf8JsonWriter json, in TrafficSnapshot s)
    {
        if (s.LastSeen is { } last) json.WriteString("lastSeen", last);
        else json.WriteNull("lastSeen");
        json.WriteStartObject("window");
        json.WriteNumber("requests", s.WindowRequests);
        json.WriteNumber("rejected", s.WindowRejected);
        json.WriteNumber("bytesIn", s.WindowBytesIn);
        json.WriteNumber("bytesOut", s.WindowBytesOut);
        json.WriteEndObject();
        json.WriteStartObject("total");
        json.WriteNumber("requests", s.Requests);
        json.WriteNumber("rejected", s.Rejected);
        json.WriteNumber("bytesIn", s.BytesIn);
        json.WriteNumber("bytesOut", s.BytesOut);
        json.WriteEndObject();
    }

    /// <summary>The limiter's own count of the consumer's budget in this window (admitted requests).</summary>
    private static void WriteLimiter(Utf8JsonWriter json, AppModel app, RateLimitModel limit, string id, WindowRateLimiter limiter)
    {
        var own = app.Config.Keys.FirstOrDefault(k => k.Id == id)?.LimitValue ?? limit.Limit;
        var used = limiter.Peek(new LimitRequest(limit.App, id, own, limit.Period));
        json.WriteStartObject("limit");
        json.WriteNumber("limitValue", own);
        json.WriteNumber("used", used);
        json.WriteNumber("remaining", Math.Max(0, own - used));
        json.WriteEndObject();
    }
}
