using System.Text.Json;
using System.Text.RegularExpressions;
using Valet.Core.Forwarding;
using Valet.Core.LoadBalancing;
using Valet.Core.Routing;

namespace Valet.Core.Configuration;

// The fan-out fields of an app: 'aggregate' with its parts, 'forwardHeaders', and the endpoints'
// 'loadBalancing' policy. Whether each part names an app that is served is a check across files,
// made where the route table is compiled (ConfigManager, with AggregateValidator).
public static partial class AppConfigParser
{
    private static readonly string[] AggregateFields = ["parts", "timeout", "includeMeta"];
    private static readonly string[] PartFields = ["key", "app", "path", "method", "required", "timeout"];

    // Fields that mean nothing for an aggregate, and why.
    private static readonly (string Field, string Why)[] NotForAggregates =
    [
        ("timeout", "'timeout' is how long an endpoint may take; an aggregate's deadline is 'aggregate.timeout' (and each part's 'timeout')"),
        ("loadBalancing", "'loadBalancing' picks among endpoints; an aggregate has none (each part uses its app's policy)"),
        ("stripRequestHeaders", "'stripRequestHeaders' does not apply to an aggregate: its parts get only the 'forwardHeaders'"),
        ("stripResponseHeaders", "'stripResponseHeaders' does not apply to an aggregate: its answer is made by Valet"),
    ];

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
    private static partial Regex PartKeyPattern();

    private sealed record FanOut(AggregateConfig? Aggregate, string LoadBalancing, IReadOnlyList<string> ForwardHeaders);

    private static FanOut ReadFanOut(ValidationScope scope, JsonObjectReader app, string? name, string authHeader)
    {
        AggregateConfig? aggregate = null;
        var isAggregate = app.TryGet("aggregate", out var element);
        if (isAggregate)
        {
            aggregate = ReadAggregate(scope, element, name);
            if (app.TryGet("endpoints", out _) || app.TryGet("mocks", out _))
            {
                scope.Error("$.aggregate", "an app has either 'aggregate' or 'endpoints' and 'mocks', not both: an aggregate calls other apps, which have the endpoints and mocks");
            }

            foreach (var (field, why) in NotForAggregates)
            {
                if (app.TryGet(field, out _)) scope.NameError($"$.{field}", why);
            }

            if (app.TryGet("maxBodyBytes", out var max) && max.ValueKind == JsonValueKind.Number && max.TryGetInt64(out var bytes) && bytes > AggregateConfig.MaxBodyBytesLimit)
            {
                scope.Error("$.maxBodyBytes", $"'maxBodyBytes' is {bytes}; an aggregate holds the body in memory to send it to its parts, so it may be at most {AggregateConfig.MaxBodyBytesLimit}");
            }
        }

        var loadBalancing = app.String("loadBalancing") ?? AppConfig.DefaultLoadBalancing;
        if (!LoadBalancingPolicies.ByName.ContainsKey(loadBalancing))
        {
            scope.Error("$.loadBalancing", $"'loadBalancing' is \"{loadBalancing}\"; use {LoadBalancingPolicies.Names}");
        }

        var forward = ReadStringList(scope, app, "forwardHeaders");
        if (forward is not null && !isAggregate)
        {
            scope.NameError("$.forwardHeaders", "'forwardHeaders' lists what an aggregate sends to its parts; add 'aggregate' or remove it");
        }

        CheckForwardHeaders(scope, forward, authHeader);
        return new FanOut(aggregate, loadBalancing, forward ?? AggregateConfig.DefaultForwardHeaders);
    }

    private static AggregateConfig? ReadAggregate(ValidationScope scope, JsonElement element, string? appName)
    {
        if (!JsonObjectReader.TryOpen(scope, element, "$.aggregate", "'aggregate'", AggregateFields, out var aggregate)) return null;
        var timeout = aggregate.Number("timeout", 0, 3600) ?? AppConfig.DefaultTimeoutSeconds;
        var includeMeta = aggregate.Bool("includeMeta") ?? false;
        if (aggregate.Array("parts") is not { } array)
        {
            if (!aggregate.TryGet("parts", out _)) scope.Error("$.aggregate", "missing required field 'parts' (an array of parts { \"key\", \"app\", \"path\" })");
            return null;
        }

        var count = array.GetArrayLength();
        if (count == 0) scope.Error("$.aggregate.parts", "'parts' is empty; list at least one part { \"key\", \"app\", \"path\" }");
        if (count > AggregateConfig.MaxParts)
        {
            scope.Error("$.aggregate.parts", $"'parts' has {count} parts; an aggregate may have at most {AggregateConfig.MaxParts}");
        }

        var parts = new List<AggregatePartConfig>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            var path = $"$.aggregate.parts[{i++}]";
            if (ReadPart(scope, item, path, appName, keys) is { } part) parts.Add(part);
        }

        return new AggregateConfig { Parts = parts, Timeout = timeout, IncludeMeta = includeMeta };
    }

    private static AggregatePartConfig? ReadPart(ValidationScope scope, JsonElement item, string path, string? appName, HashSet<string> keys)
    {
        if (!JsonObjectReader.TryOpen(scope, item, path, "a part", PartFields, out var part)) return null;
        var key = part.String("key", required: true);
        var app = part.String("app", required: true);
        var partPath = part.String("path", required: true);
        var method = part.String("method");
        var required = part.Bool("required") ?? true;
        var timeout = part.Number("timeout", 0, 3600);
        var valid = key is not null && app is not null && partPath is not null;

        if (key is not null && !PartKeyPattern().IsMatch(key))
        {
            scope.Error($"{path}.key", $"'key' is \"{key}\"; use 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit (\"_meta\" is reserved)");
            valid = false;
        }
        else if (key is not null && !keys.Add(key))
        {
            scope.Error($"{path}.key", $"part key \"{key}\" is used twice; each key names one member of the answer");
            valid = false;
        }

        if (app is not null && !NamePattern().IsMatch(app))
        {
            scope.Error($"{path}.app", $"'app' is \"{app}\"; give the 'name' of the app to call");
            valid = false;
        }
        else if (app is not null && app == appName)
        {
            scope.Error($"{path}.app", $"'app' is \"{app}\", this aggregate itself; a part calls another app");
            valid = false;
        }

        if (partPath is not null && !IsValidPartPath(partPath))
        {
            scope.Error($"{path}.path", $"'path' is \"{partPath}\"; it must start with '/', without '?', '#', spaces or '.'/'..' segments, and may end with '*' to add the rest of the client's path");
            valid = false;
        }

        if (method is not null && !TokenPattern().IsMatch(method))
        {
            scope.Error($"{path}.method", $"'method' is \"{method}\", which is not an HTTP method name");
            valid = false;
        }

        return valid
            ? new AggregatePartConfig { Key = key!, App = app!, Path = partPath!, Method = method?.ToUpperInvariant(), Required = required, Timeout = timeout }
            : null;
    }

    private static bool IsValidPartPath(string path)
    {
        if (path.Length == 0 || path[0] != '/' || path.AsSpan().IndexOfAny("?# \t\r\n\0") >= 0) return false;
        var star = path.IndexOf('*');
        if (star >= 0 && star != path.Length - 1) return false;
        return !RequestTarget.Escapes(star < 0 ? path : path[..^1]);
    }

    private static void CheckForwardHeaders(ValidationScope scope, List<string>? names, string authHeader)
    {
        if (names is null) return;
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < names.Count; i++)
        {
            var name = names[i];
            var path = $"$.forwardHeaders[{i}]";
            if (!TokenPattern().IsMatch(name))
            {
                scope.Error(path, $"\"{name}\" is not a valid HTTP header name");
            }
            else if (!seen.Add(name))
            {
                scope.Error(path, $"header \"{name}\" is listed twice");
            }
            else if (string.Equals(name, authHeader, StringComparison.OrdinalIgnoreCase) || HeaderRules.IsValetHeader(name))
            {
                scope.Error(path, $"\"{name}\" carries the aggregate's API key or is a Valet header; it is never sent to the parts");
            }
            else if (HeaderRules.HopByHop.Contains(name)
                     || (HeaderRules.GatewaySetRequest.Contains(name) && !string.Equals(name, "X-Request-Id", StringComparison.OrdinalIgnoreCase)))
            {
                scope.Error(path, $"\"{name}\" is hop-by-hop or set by Valet itself; remove it");
            }
            else if (HeaderRules.Content.Contains(name))
            {
                scope.Error(path, $"\"{name}\" describes the request body and goes with it to the parts that get the body; remove it");
            }
        }
    }
}
