using System.Text.Json;
using System.Text.RegularExpressions;

namespace Valet.Core.Configuration;

// The policy fields of an app: consumers and keys, rate-limit settings, CORS, body size and
// protected headers.
public static partial class AppConfigParser
{
    private static readonly string[] ConsumerFields = ["id", "key", "limitValue"];
    private static readonly string[] CorsFields = ["origins", "methods", "headers", "exposeHeaders", "credentials", "maxAge"];

    [GeneratedRegex("^[A-Za-z0-9._@-]{1,64}$")]
    private static partial Regex ConsumerIdPattern();

    [GeneratedRegex("^sha256:[0-9a-fA-F]{64}$")]
    private static partial Regex HashedKeyPattern();

    [GeneratedRegex(@"^(https?)://([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?$")]
    private static partial Regex OriginPattern();

    private sealed record Policies(
        IReadOnlyList<ConsumerConfig> Keys, int LimitPeriod, LimitBy LimitBy, CorsConfig? Cors, long? MaxBodyBytes,
        IReadOnlyList<string> StripResponseHeaders, IReadOnlyList<string> StripRequestHeaders);

    private static Policies ReadPolicies(ValidationScope scope, JsonObjectReader app, bool authorize, string? authKey, bool rateLimit, AuthConfig? auth)
    {
        var keys = ReadConsumers(scope, app, authKey);
        var listsKeys = app.TryGet("keys", out var keysElement) && keysElement.ValueKind == JsonValueKind.Array && keysElement.GetArrayLength() > 0;
        if (authorize && authKey is null && !listsKeys && (auth is null || auth.Type == AuthType.ApiKey))
        {
            scope.Error("$.authorize", "'authorize' is true but there is no key: set 'authKey' or list consumers in 'keys'");
        }

        if (!authorize && keys.Count > 0 && auth is null)
        {
            scope.Error("$.keys", "'keys' are only checked when 'authorize' is true; set \"authorize\": true or remove 'keys'");
        }

        var period = (int)(app.Integer("limitPeriod", 1, 86_400) ?? AppConfig.DefaultLimitPeriodSeconds);
        var limitBy = LimitBy.App;
        if (app.String("limitBy") is { } by)
        {
            switch (by)
            {
                case "app": limitBy = LimitBy.App; break;
                case "consumer": limitBy = LimitBy.Consumer; break;
                case "ip": limitBy = LimitBy.Ip; break;
                default:
                    scope.Error("$.limitBy", $"'limitBy' is \"{by}\"; use \"app\" (one budget), \"consumer\" or \"ip\"");
                    break;
            }
        }

        if (limitBy == LimitBy.Consumer && !authorize && auth is not { Type: AuthType.Basic or AuthType.Jwt or AuthType.Oidc })
        {
            scope.Error("$.limitBy", "'limitBy' is \"consumer\" but 'authorize' is false, so requests have no consumer; set \"authorize\": true");
        }

        for (var i = 0; i < keys.Count; i++)
        {
            if (keys[i].LimitValue is not null && (limitBy != LimitBy.Consumer || !rateLimit))
            {
                scope.Error($"$.keys[{i}].limitValue", "a consumer's 'limitValue' applies only with \"rateLimit\": true and \"limitBy\": \"consumer\"");
            }
        }

        var cors = ReadCors(scope, app);
        var maxBody = app.Integer("maxBodyBytes", 0, long.MaxValue);
        return new Policies(keys, period, limitBy, cors, maxBody,
            ReadHeaderPatterns(scope, app, "stripResponseHeaders"), ReadHeaderPatterns(scope, app, "stripRequestHeaders"));
    }

    private static List<ConsumerConfig> ReadConsumers(ValidationScope scope, JsonObjectReader app, string? authKey)
    {
        var consumers = new List<ConsumerConfig>();
        if (app.Array("keys") is not { } array) return consumers;
        var ids = new HashSet<string>(StringComparer.Ordinal) { AppConfig.DefaultConsumerId };
        var keys = new HashSet<string>(StringComparer.Ordinal);
        if (!string.IsNullOrEmpty(authKey)) keys.Add(authKey);
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            var path = $"$.keys[{i++}]";
            if (!JsonObjectReader.TryOpen(scope, item, path, "a consumer", ConsumerFields, out var consumer)) continue;
            var id = consumer.String("id", required: true);
            var key = consumer.String("key", required: true);
            var limit = consumer.Integer("limitValue", 1, int.MaxValue);
            var valid = id is not null && key is not null;
            if (id is not null && !ConsumerIdPattern().IsMatch(id))
            {
                scope.Error($"{path}.id", $"consumer 'id' is \"{id}\"; use 1 to 64 letters, digits, '.', '_', '@' or '-'");
                valid = false;
            }
            else if (id is not null && !ids.Add(id))
            {
                scope.Error($"{path}.id", id == AppConfig.DefaultConsumerId
                    ? $"consumer id \"{id}\" is reserved for 'authKey'; choose another"
                    : $"consumer id \"{id}\" is used twice");
                valid = false;
            }

            if (key is not null)
            {
                if (key.Length == 0 || key.Trim().Length != key.Length || key.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
                {
                    scope.Error($"{path}.key", "a consumer 'key' must be non-empty, without surrounding spaces or line breaks");
                    valid = false;
                }
                else if (key.StartsWith(ConsumerConfig.HashPrefix, StringComparison.Ordinal) && !HashedKeyPattern().IsMatch(key))
                {
                    scope.Error($"{path}.key", "a hashed key is 'sha256:' followed by 64 hex digits, as printed by 'valet hash-key'");
                    valid = false;
                }
                else if (!keys.Add(key))
                {
                    scope.Error($"{path}.key", "this key is already given to another consumer (or is the 'authKey'); keys must identify one consumer");
                    valid = false;
                }
            }

            if (valid) consumers.Add(new ConsumerConfig { Id = id!, Key = key!, LimitValue = limit });
        }

        return consumers;
    }

    private static CorsConfig? ReadCors(ValidationScope scope, JsonObjectReader app)
    {
        if (!app.TryGet("cors", out var element)) return null;
        if (!JsonObjectReader.TryOpen(scope, element, "$.cors", "'cors'", CorsFields, out var cors)) return null;
        var origins = ReadStringList(scope, cors, "origins") ?? [];
        if (origins.Count == 0) scope.Error("$.cors", "'cors.origins' must list at least one origin (e.g. \"https://app.example\") or \"*\"");
        for (var i = 0; i < origins.Count; i++)
        {
            if (origins[i] != "*" && !OriginPattern().IsMatch(origins[i]))
            {
                scope.Error($"$.cors.origins[{i}]", $"\"{origins[i]}\" is not an origin; write scheme://host[:port] with no path, or \"*\"");
            }
        }

        var methods = ReadStringList(scope, cors, "methods");
        if (methods is not null)
        {
            for (var i = 0; i < methods.Count; i++)
            {
                if (!TokenPattern().IsMatch(methods[i])) scope.Error($"$.cors.methods[{i}]", $"\"{methods[i]}\" is not an HTTP method name");
            }

            methods = methods.Select(m => m.ToUpperInvariant()).Distinct().ToList();
        }

        var headers = ReadStringList(scope, cors, "headers");
        CheckHeaderNames(scope, headers, "$.cors.headers");
        var expose = ReadStringList(scope, cors, "exposeHeaders") ?? [];
        CheckHeaderNames(scope, expose, "$.cors.exposeHeaders");
        return new CorsConfig
        {
            Origins = origins,
            Methods = methods,
            Headers = headers,
            ExposeHeaders = expose,
            Credentials = cors.Bool("credentials") ?? false,
            MaxAge = (int)(cors.Integer("maxAge", 0, 86_400) ?? CorsConfig.DefaultMaxAgeSeconds),
        };
    }

    private static List<string> ReadHeaderPatterns(ValidationScope scope, JsonObjectReader app, string name)
    {
        var list = ReadStringList(scope, app, name) ?? [];
        for (var i = 0; i < list.Count; i++)
        {
            var pattern = list[i];
            var headerName = pattern.EndsWith('*') ? pattern[..^1] : pattern;
            if (headerName.Length == 0 || !TokenPattern().IsMatch(headerName))
            {
                scope.Error($"$.{name}[{i}]", $"\"{pattern}\" is not a header name, or a prefix ending with '*' (e.g. \"X-Internal-*\")");
            }
        }

        return list;
    }

    private static void CheckHeaderNames(ValidationScope scope, List<string>? names, string path)
    {
        if (names is null) return;
        for (var i = 0; i < names.Count; i++)
        {
            if (!TokenPattern().IsMatch(names[i])) scope.Error($"{path}[{i}]", $"\"{names[i]}\" is not a valid HTTP header name");
        }
    }

    private static List<string>? ReadStringList(ValidationScope scope, JsonObjectReader owner, string name)
    {
        if (owner.Array(name) is not { } array) return null;
        var list = new List<string>();
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String) list.Add(item.GetString()!);
            else scope.Error($"{owner.MemberPath(name)}[{i}]", $"'{name}' holds strings, not {JsonObjectReader.Describe(item)}");
            i++;
        }

        return list;
    }
}
