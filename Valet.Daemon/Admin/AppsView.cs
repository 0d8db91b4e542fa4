using System.Text.Json;
using Valet.Core.Configuration;
using Valet.Core.RateLimiting;
using Valet.Core.Routing;

namespace Valet.Daemon.Admin;

/// <summary>
/// What <c>GET /apis</c> and <c>GET /apis/{name}</c> show of the running config: each app as it
/// serves now (endpoints with their live health, methods, auth and rate-limit summaries, mocks),
/// where it came from, its revision and what the last load did to it. Secrets never appear.
/// </summary>
public static class AppsView
{
    /// <summary>The whole table, plus the files whose errors keep them from serving any app.</summary>
    public static void WriteList(Utf8JsonWriter json, RouteTable table, LoadReport? report, WindowRateLimiter limiter, DateTimeOffset now)
    {
        json.WriteStartObject();
        if (report is null) json.WriteNull("lastLoad");
        else
        {
            json.WriteStartObject("lastLoad");
            json.WriteString("at", report.At);
            json.WriteBoolean("ok", report.Ok);
            json.WriteString("summary", report.Summary());
            json.WriteEndObject();
        }

        json.WriteStartArray("apps");
        foreach (var app in table.Apps.OrderBy(a => a.Name, StringComparer.Ordinal)) WriteApp(json, app, report, limiter, now, withConfig: false);
        json.WriteEndArray();

        json.WriteStartArray("failedFiles");
        if (report is not null)
        {
            foreach (var change in report.Changes)
            {
                if (change.Kind != AppChangeKind.Failed || change.StillServing) continue;
                json.WriteStartObject();
                json.WriteString("file", change.File);
                json.WritePropertyName("errors");
                AdminJson.WriteErrors(json, change.Errors);
                json.WriteEndObject();
            }

            if (report.FolderErrors.Count > 0)
            {
                json.WriteStartObject();
                json.WriteString("file", ".");
                json.WritePropertyName("errors");
                AdminJson.WriteErrors(json, report.FolderErrors);
                json.WriteEndObject();
            }
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>One app; with <paramref name="withConfig"/>, its file's JSON with secrets masked.</summary>
    public static void WriteApp(Utf8JsonWriter json, AppModel app, LoadReport? report, WindowRateLimiter limiter, DateTimeOffset now, bool withConfig)
    {
        var config = app.Config;
        json.WriteStartObject();
        json.WriteString("name", app.Name);
        json.WriteString("description", config.Description);
        json.WriteString("sourceFile", app.SourceFile);
        json.WriteString("revision", app.Revision);

        WriteMethods(json, config.Methods);

        json.WriteNumber("timeout", config.Timeout);
        WriteEndpoints(json, app, now);

        // Consumer ids only, never a key (the seed's single authKey is the consumer "default").
        json.WriteStartObject("auth");
        json.WriteString("type", app.Authenticator?.Type ?? "none");
        json.WriteBoolean("required", config.Authorize);
        json.WriteString("header", config.AuthHeader);
        json.WriteStartArray("consumers");
        foreach (var id in app.Authenticator?.ConsumerIds ?? []) json.WriteStringValue(id);
        json.WriteEndArray();
        json.WriteEndObject();

        WriteRateLimit(json, app, limiter);

        json.WriteStartObject("mocks");
        json.WriteNumber("count", app.Mocks.Length);
        json.WriteStartArray("routes");
        foreach (var mock in app.Mocks) json.WriteStringValue($"{mock.Method ?? "*"} {mock.Config.Path} -> {mock.Status}");
        json.WriteEndArray();
        json.WriteEndObject();

        if (config.Aggregate is not { } aggregate) json.WriteNull("aggregate");
        else
        {
            // The parts' names and paths only: what the aggregate calls, not how (headers stay in the config view).
            json.WriteStartObject("aggregate");
            json.WriteStartArray("parts");
            foreach (var part in aggregate.Parts)
            {
                json.WriteStartObject();
                json.WriteString("key", part.Key);
                json.WriteString("app", part.App);
                json.WriteString("path", part.Path);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        WriteLastLoad(json, app.Name, report);
        if (withConfig) WriteConfig(json, app);
        json.WriteEndObject();
    }

    /// <summary>One route of an app as configured: id, path, methods (null = any), and its target or endpoints.</summary>
    public static void WriteRoute(Utf8JsonWriter json, RouteConfig route)
    {
        json.WriteStartObject();
        json.WriteString("id", route.Id);
        json.WriteString("path", route.Path);
        WriteMethods(json, route.Methods);

        if (route.Target is not null) json.WriteString("target", route.Target);
        json.WriteStartArray("endpoints");
        foreach (var endpoint in route.Endpoints) json.WriteStringValue(endpoint.Key);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>"methods": the list, or null for every method.</summary>
    private static void WriteMethods(Utf8JsonWriter json, IReadOnlyList<string>? methods)
    {
        if (methods is null)
        {
            json.WriteNull("methods");
            return;
        }

        json.WriteStartArray("methods");
        foreach (var method in methods) json.WriteStringValue(method);
        json.WriteEndArray();
    }

    private static void WriteEndpoints(Utf8JsonWriter json, AppModel app, DateTimeOffset now)
    {
        var nowTicks = now.UtcTicks;
        json.WriteStartArray("endpoints");
        foreach (var endpoint in app.Endpoints)
        {
            var state = endpoint.State;
            var healthy = state.IsHealthy(nowTicks);
            json.WriteStartObject();
            json.WriteString("address", endpoint.BaseAddress);
            json.WriteString("host", endpoint.Config.Host);
            json.WriteNumber("port", endpoint.Config.Port);
            json.WriteString("path", endpoint.Config.Path);
            json.WriteString("scheme", endpoint.Config.Scheme);
            json.WriteBoolean("healthy", healthy);
            if (healthy) json.WriteNull("unhealthyUntil");
            else json.WriteString("unhealthyUntil", new DateTimeOffset(state.UnhealthyUntilTicks, TimeSpan.Zero));
            json.WriteNumber("inFlight", state.InFlight);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteLastLoad(Utf8JsonWriter json, string name, LoadReport? report)
    {
        var change = report?.Changes.FirstOrDefault(c => c.App == name);
        if (report is null || change is null)
        {
            json.WriteNull("lastLoad");
            return;
        }

        json.WriteStartObject("lastLoad");
        json.WriteString("at", report.At);
        json.WriteString("status", ReloadView.StatusName(change.Kind));
        if (change.Kind == AppChangeKind.Failed) json.WriteBoolean("stillServing", change.StillServing);
        json.WritePropertyName("errors");
        AdminJson.WriteErrors(json, change.Errors);
        json.WriteEndObject();
    }

    // The file as it was loaded, secrets masked. When the file on disk no longer has the served
    // revision (edited, not yet reloaded), the served content is not at hand and is not guessed.
    private static void WriteConfig(Utf8JsonWriter json, AppModel app)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(app.SourceFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            bytes = [];
        }

        if (bytes.Length == 0 || AppDirectoryLoader.Revision(bytes) != app.Revision)
        {
            json.WriteNull("config");
            json.WriteString("configNote", "the file on disk is no longer the served revision; POST /reload to load it, or GET again after the next reload");
            return;
        }

        var utf8 = bytes.AsMemory();
        if (utf8.Span.StartsWith(System.Text.Encoding.UTF8.Preamble)) utf8 = utf8[System.Text.Encoding.UTF8.Preamble.Length..];
        using var document = JsonDocument.Parse(utf8);
        json.WritePropertyName("config");
        SecretRedactor.Write(json, document.RootElement);
    }

    /// <summary>The policy and the current window's usage (the cluster's figure once peers share counts).</summary>
    private static void WriteRateLimit(Utf8JsonWriter json, AppModel app, WindowRateLimiter limiter)
    {
        var config = app.Config;
        json.WriteStartObject("rateLimit");
        json.WriteBoolean("enabled", config.RateLimit);
        if (app.RateLimit is not { } limit)
        {
            json.WriteNull("limitValue");
            json.WriteNull("usage");
            json.WriteEndObject();
            return;
        }

        json.WriteNumber("limitValue", limit.Limit);
        json.WriteNumber("limitPeriod", limit.Period);
        json.WriteString("limitBy", limit.By.ToString().ToLowerInvariant());
        var (window, resetAfter) = limiter.WindowAt(limit.Period);
        json.WriteStartObject("usage");
        json.WriteNumber("window", window);
        json.WriteNumber("resetSeconds", (long)Math.Ceiling(resetAfter.TotalSeconds));
        switch (limit.By)
        {
            case LimitBy.App:
                var used = limiter.Peek(new LimitRequest(limit.App, "*", limit.Limit, limit.Period));
                json.WriteNumber("used", used);
                json.WriteNumber("remaining", Math.Max(0, limit.Limit - used));
                break;
            case LimitBy.Consumer:
                json.WriteStartArray("consumers");
                foreach (var id in app.Authenticator?.ConsumerIds ?? [])
                {
                    var consumerLimit = app.Config.Keys.FirstOrDefault(k => k.Id == id)?.LimitValue ?? limit.Limit;
                    var consumerUsed = limiter.Peek(new LimitRequest(limit.App, id, consumerLimit, limit.Period));
                    json.WriteStartObject();
                    json.WriteString("id", id);
                    json.WriteNumber("limitValue", consumerLimit);
                    json.WriteNumber("used", consumerUsed);
                    json.WriteNumber("remaining", Math.Max(0, consumerLimit - consumerUsed));
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                break;
            case LimitBy.Ip:
                json.WriteString("note", "counted per client address; see the access log or metrics for figures");
                break;
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }
}
