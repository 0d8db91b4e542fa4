using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;

namespace Valet.Core.Tests.TestSupport;

/// <summary>
/// FsCheck generators of app files: hostile JSON text shaped like an app file (every field name the
/// parser knows, at every depth, with plausible and implausible values), and valid app files (with
/// what each field may hold), for the parser's property tests and the admin API's round trip.
/// </summary>
public static class AppFileGen
{
    private static readonly string[] AppFields =
        ["$schema", "name", "description", "authorize", "authKey", "authHeader", "rateLimit", "limitValue",
         "endpoints", "methods", "timeout", "mocks", "keys", "limitPeriod", "limitBy", "cors", "maxBodyBytes",
         "stripResponseHeaders", "stripRequestHeaders", "aggregate", "loadBalancing", "forwardHeaders",
         "auth", "hosts", "routes", "tls", "https", "partitionPolicy"];

    private static readonly string[] NestedFields =
        ["host", "path", "port", "scheme", "method", "status", "headers", "body", "bodyFile", "delayMs", "id", "key", "origins",
         "exposeHeaders", "credentials", "maxAge", "parts", "app", "required", "includeMeta", "type", "realm", "users", "password",
         "signingKeys", "kid", "publicKeyFile", "secret", "authority", "issuer", "audience", "tokenHeader", "requiredClaims",
         "clockSkew", "subjectClaim", "target", "cert"];

    // ---------------------------------------------------------------------------------------------
    // Hostile JSON.

    /// <summary>Strings that mean something to some field, and some that are traps.</summary>
    private static readonly string[] Words =
        ["", " ", "api", "svc", "default", "GET", "get", "POST", "G T", "*", "/", "/x", "/x/*", "/*/x", "x", "/a?b", "/ a",
         "http", "https", "ftp", "127.0.0.1", "localhost", "[::1]", "::1", "a.example", "*.a.example", "*.*.a", "a..b", "A.EXAMPLE.",
         "http://127.0.0.1:9/x", "https://a.example/b", "http://a.example", "ftp://x", "not a url", "http://[::1]:0",
         "public", "apiKey", "basic", "jwt", "oidc", "roundRobin", "leastRequests", "app", "consumer", "ip", "share", "open",
         "only", "both", "off", "X-Valet-Auth", "Authorization", "Connection", "X-Internal-*", "Bad Name",
         "mocks/a.json", "mocks/missing.json", "../outside.json", "/etc/passwd", "keys/public.pem", "keys/private.pem",
         "keys/not-pem.pem", "mocks", "sha256:" + new string('a', 64), "sha256:zz", "pbkdf2-sha256$600000$3q2+7w0Kc9Q1pGxWc0z7Aw==$" + Convert.ToBase64String(new byte[32]),
         "pbkdf2-sha256$1$AA==$AA==", "at-least-32-bytes-of-shared-secret!!", "short", "sub", "https://issuer.example",
         new string('n', 64), new string('p', 300)];

    /// <summary>String literals as written in the file, escapes included (some of them not text at all).</summary>
    private static readonly string[] RawStrings =
        ["\"\\ud800\"", "\"a\\udc00b\"", "\"\\ud83d\\ude00\"", "\"\\u0000\"", "\"a\\u0000b\"", "\"\\r\\n\"", "\"\\t\"", "\"\\\\..\\\\x\"",
         "\"\\u00e9t\\u00e9\"", "\"\\/\"", "\"caf\u00e9\"", "\"\u2028\""];

    private static readonly Gen<string> RandomText =
        Gen.ArrayOf(Gen.Frequency((6, Gen.Choose(0x20, 0x7e)), (2, Gen.Choose(0, 0x1f)), (2, Gen.Choose(0x80, 0xd7ff)), (1, Gen.Choose(0xe000, 0xffff))).Select(c => (char)c))
            .Select(chars => new string(chars));

    private static readonly Gen<string> StringLiteral = Gen.Frequency(
        (6, Gen.Elements(Words).Select(Quote)),
        (3, RandomText.Select(Quote)),
        (1, Gen.Elements(RawStrings)));

    private static readonly Gen<string> NumberLiteral = Gen.OneOf(
        Gen.Elements("0", "-1", "1", "2", "30", "99", "100", "599", "600", "3600", "3601", "60000", "60001", "65535", "65536", "86400", "86401",
            "1.5", "-0", "0.0001", "1e400", "-1e400", "1E2", "2147483647", "2147483648", "9223372036854775807", "9223372036854775808", "1e-400"),
        Gen.Choose(int.MinValue, int.MaxValue).Select(i => i.ToString(CultureInfo.InvariantCulture)));

    private static readonly Gen<string> Scalar = Gen.Frequency(
        (1, Gen.Elements("null", "true", "false")),
        (3, NumberLiteral),
        (5, StringLiteral));

    private static readonly Gen<string> AnyName = Gen.Frequency(
        (6, Gen.Elements(AppFields.Concat(NestedFields).ToArray())),
        (1, Gen.Elements(AppFields).Select(f => f.ToUpperInvariant())),
        (1, RandomText));

    /// <summary>Any JSON value, nested up to <paramref name="depth"/>, with member names the parser knows.</summary>
    public static Gen<string> Value(int depth) => depth <= 0
        ? Scalar
        : Gen.Frequency(
            (5, Scalar),
            (2, UpTo(4, n => Gen.ListOf(Value(depth - 1), n)).Select(items => "[" + string.Join(",", items) + "]")),
            (2, Object(AnyName, depth - 1)));

    private static Gen<string> Object(Gen<string> names, int depth) =>
        UpTo(5, n => Gen.ListOf(Gen.Zip(names, Value(depth)), n))
            .Select(members => "{" + string.Join(",", members.Select(m => Quote(m.Item1) + ":" + m.Item2)) + "}");

    /// <summary>A JSON object with some of an app file's fields, each holding anything (mostly something near what it should).</summary>
    public static readonly Gen<string> AppShaped =
        from name in Gen.Frequency((6, Gen.Elements("svc", "api", "a_b-1").Select(Quote)), (1, StringLiteral), (1, Scalar))
        from count in Gen.Choose(0, 10)
        from fields in Gen.ListOf(Gen.Zip(Gen.Elements(AppFields), Gen.Choose(0, 3)), count)
        from values in Gen.CollectToList(fields, f => Gen.Frequency((4, Near(f.Item1, f.Item2)), (1, Value(f.Item2))))
        select "{\"name\":" + name + string.Concat(fields.Zip(values, (f, v) => "," + Quote(f.Item1) + ":" + v)) + "}";

    /// <summary>Bytes of any kind: noise, text, JSON, app-shaped JSON, with or without a BOM.</summary>
    public static readonly Gen<byte[]> AnyFile = Gen.Frequency(
            (1, Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b))),
            (1, RandomText.Select(t => System.Text.Encoding.UTF8.GetBytes(t))),
            (2, Value(4).Select(t => System.Text.Encoding.UTF8.GetBytes(t))),
            (6, AppShaped.Select(t => System.Text.Encoding.UTF8.GetBytes(t))))
        .SelectMany(bytes => Gen.Frequency((9, Gen.Constant(bytes)), (1, Gen.Constant<byte[]>([0xEF, 0xBB, 0xBF, .. bytes]))));

    /// <summary>A value near what <paramref name="field"/> holds: the right shape, with right and wrong contents.</summary>
    private static Gen<string> Near(string field, int depth) => field switch
    {
        "endpoints" => ArrayOf(Members(["host", "port", "path", "scheme"], depth)),
        "mocks" => ArrayOf(Members(["method", "path", "status", "headers", "body", "bodyFile", "delayMs"], depth)),
        "keys" => ArrayOf(Members(["id", "key", "limitValue"], depth)),
        "routes" => ArrayOf(Members(["id", "path", "methods", "endpoints", "target"], depth)),
        "cors" => Members(["origins", "methods", "headers", "exposeHeaders", "credentials", "maxAge"], depth),
        "aggregate" => Gen.Zip(ArrayOf(Members(["key", "app", "path", "method", "required", "timeout"], depth)), Scalar)
            .Select(t => "{\"parts\":" + t.Item1 + ",\"timeout\":" + t.Item2 + "}"),
        "auth" => Gen.Zip(Gen.Elements("public", "apiKey", "basic", "jwt", "oidc", "x"),
                Members(["realm", "users", "signingKeys", "authority", "issuer", "audience", "tokenHeader", "requiredClaims", "clockSkew", "subjectClaim"], depth))
            .Select(t => "{\"type\":" + Quote(t.Item1) + (t.Item2.Length > 2 ? "," + t.Item2[1..] : "}")),
        "tls" => Members(["cert", "key"], depth),
        "methods" or "hosts" or "forwardHeaders" or "stripResponseHeaders" or "stripRequestHeaders" => ArrayOf(StringLiteral),
        _ => Scalar,
    };

    /// <summary>An object with some of <paramref name="fields"/>, each holding a nested near value or anything.</summary>
    private static Gen<string> Members(string[] fields, int depth) =>
        UpTo(fields.Length, n => Gen.ListOf(Gen.Elements(fields), n))
            .SelectMany(chosen => Gen.CollectToList(chosen, f => f switch
                {
                    "users" => ArrayOf(Members(["name", "password"], depth)),
                    "signingKeys" => ArrayOf(Members(["kid", "publicKeyFile", "secret"], depth)),
                    "endpoints" => ArrayOf(Members(["host", "port", "path", "scheme"], depth)),
                    "headers" or "requiredClaims" => Object(Gen.Elements("X-A", "Bad Name", "", "scope", "Content-Type"), Math.Max(0, depth - 1)),
                    "origins" or "methods" or "exposeHeaders" or "audience" => Gen.Frequency((3, ArrayOf(StringLiteral)), (1, Scalar)),
                    _ => depth > 0 ? Gen.Frequency((5, Scalar), (1, Value(depth - 1))) : Scalar,
                })
                .Select(values => "{" + string.Join(",", chosen.Zip(values, (f, v) => Quote(f) + ":" + v)) + "}"));

    private static Gen<string> ArrayOf(Gen<string> item) =>
        UpTo(3, n => Gen.ListOf(item, n)).Select(items => "[" + string.Join(",", items) + "]");

    // ---------------------------------------------------------------------------------------------
    // Valid app files.

    private static readonly Gen<char> NameChar = Gen.Elements("abcdefghijklmnopqrstuvwxyz0123456789-_".ToCharArray());

    /// <summary>A valid app name: 1 to 63 of a-z 0-9 - _, starting with a letter or digit.</summary>
    public static readonly Gen<string> Name =
        from first in Gen.Elements("abcdefghijklmnopqrstuvwxyz0123456789".ToCharArray())
        from rest in UpTo(20, n => Gen.ArrayOf(NameChar, n))
        select first + new string(rest);

    /// <summary>Any text a description may hold: every printable and control character, quotes, backslashes, emoji.</summary>
    public static readonly Gen<string> Description = Gen.Frequency(
        (1, Gen.Constant("")),
        (4, RandomText),
        (1, Gen.Elements("\"quoted\" \\ back\\slash", "line\nbreak\ttab", "café ☕ 日本 😀", "</script><script>", "a\u0000b")));

    private static readonly Gen<JsonNode> Endpoint =
        from host in Gen.Elements("127.0.0.1", "localhost", "a.example", "[::1]", "10.0.0.1", "backend-1.internal")
        from port in Gen.Choose(1, 65535)
        from path in Gen.Elements("", "/", "/base", "/a/b-c_d/%20")
        from scheme in Gen.Elements<string?>(null, "http", "https")
        select Node(new JsonObject { ["host"] = host, ["port"] = port, ["path"] = path }, o => { if (scheme is not null) o["scheme"] = scheme; });

    private static readonly Gen<JsonNode> MockBody = Gen.OneOf(
        Description.Select(s => (JsonNode)JsonValue.Create(s)),
        Gen.Constant<JsonNode>(new JsonObject { ["ok"] = true, ["n"] = 1.25, ["list"] = new JsonArray(1, "two", null) }),
        Gen.Choose(int.MinValue, int.MaxValue).Select(i => (JsonNode)JsonValue.Create(i)));

    private static readonly Gen<JsonNode> Mock =
        from method in Gen.Elements<string?>(null, "GET", "POST", "DELETE")
        from path in Gen.Elements("/", "/x", "/users/*", "/a/b")
        from status in Gen.Choose(200, 599)
        from body in MockBody
        from header in Gen.ArrayOf(Gen.Frequency((20, Gen.Choose(0x20, 0x7e)), (1, Gen.Constant((int)'\t'))).Select(c => (char)c)).Select(c => new string(c))
        select Node(new JsonObject { ["path"] = path, ["status"] = status, ["body"] = body.DeepClone(), ["headers"] = new JsonObject { ["X-Mock"] = header } },
            o => { if (method is not null) o["method"] = method; });

    /// <summary>
    /// A valid app file, as a JSON object: always some endpoints or mocks; optionally methods,
    /// timeout, rate limit, API keys (secrets the admin API masks), hosts, CORS and the other
    /// policy fields.
    /// </summary>
    public static readonly Gen<JsonObject> ValidApp =
        from name in Name
        from description in Description
        from endpoints in UpTo(3, n => Gen.ListOf(Endpoint, n))
        from mocks in UpTo(2, n => Gen.ListOf(Mock, n))
        from methods in Gen.SubListOf(new[] { "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "PURGE" })
        from timeout in Gen.Elements<double?>(null, 1, 2.5, 30, 3600)
        from limit in Gen.Elements<int?>(null, 1, 100, 1_000_000)
        from period in Gen.Elements<int?>(null, 1, 60, 86400)
        from limitBy in Gen.Elements("app", "ip", "consumer")
        from keyed in Gen.Elements(false, true)
        from hosted in Gen.Elements(false, true)
        from cors in Gen.Elements(false, true)
        from maxBody in Gen.Elements<long?>(null, 0, 1024, 16 * 1024 * 1024, long.MaxValue)
        from policy in Gen.Elements<string?>(null, "share", "open")
        from balancing in Gen.Elements<string?>(null, "roundRobin", "leastRequests")
        select Build(name, description, endpoints, mocks, methods, timeout, limit, period, limitBy, keyed, hosted, cors, maxBody, policy, balancing);

    private static JsonObject Build(string name, string description, IList<JsonNode> endpoints, IList<JsonNode> mocks, IList<string> methods,
        double? timeout, int? limit, int? period, string limitBy, bool keyed, bool hosted, bool cors, long? maxBody, string? policy, string? balancing)
    {
        var app = new JsonObject { ["name"] = name, ["description"] = description };
        if (endpoints.Count > 0 || mocks.Count == 0) app["endpoints"] = new JsonArray([.. (endpoints.Count > 0 ? endpoints.Select(e => e.DeepClone()) : [new JsonObject { ["host"] = "127.0.0.1", ["port"] = 9 }])]);
        if (mocks.Count > 0) app["mocks"] = new JsonArray([.. mocks.Select(m => m.DeepClone())]);
        if (methods.Count > 0) app["methods"] = new JsonArray([.. methods.Select(m => (JsonNode)m)]);
        if (timeout is not null) app["timeout"] = timeout;
        if (keyed)
        {
            app["authorize"] = true;
            app["authKey"] = "seed-key-" + name;
            app["keys"] = new JsonArray(new JsonObject { ["id"] = "mobile", ["key"] = "sha256:" + new string('a', 64) }, new JsonObject { ["id"] = "web", ["key"] = "plain-" + name });
        }

        if (limit is not null)
        {
            app["rateLimit"] = true;
            app["limitValue"] = limit;
            if (period is not null) app["limitPeriod"] = period;
            if (limitBy != "consumer" || keyed) app["limitBy"] = limitBy;
        }

        var label = name.Replace('_', '-').Trim('-') is { Length: > 0 } l ? l : "x";
        if (hosted) app["hosts"] = new JsonArray($"{label}.apps.example", $"*.{label}.fn.example");
        if (cors) app["cors"] = new JsonObject { ["origins"] = new JsonArray("https://web.example", "http://[::1]:8080"), ["maxAge"] = 600, ["credentials"] = false };
        if (maxBody is not null) app["maxBodyBytes"] = maxBody;
        if (policy is not null) app["partitionPolicy"] = policy;
        if (balancing is not null) app["loadBalancing"] = balancing;
        app["stripResponseHeaders"] = new JsonArray("Server", "X-Internal-*");
        return app;
    }

    private static JsonNode Node(JsonObject node, Action<JsonObject> more)
    {
        more(node);
        return node;
    }

    public static string Quote(string text) => JsonSerializer.Serialize(text);

    private static Gen<T> UpTo<T>(int most, Func<int, Gen<T>> ofCount) => Gen.Choose(0, most).SelectMany(ofCount);
}
