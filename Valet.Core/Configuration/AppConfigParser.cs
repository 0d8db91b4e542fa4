using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Valet.Core.Configuration;

/// <summary>
/// Parses one app file strictly and validates it completely: malformed JSON, unknown fields, wrong
/// types and invalid values are all reported in one pass, each with file, line, column, JSON path
/// and what would fix it. The same parser serves files read at start-up, reloads and the admin API.
/// </summary>
public static partial class AppConfigParser
{
    private static readonly string[] AppFields =
        ["$schema", "name", "description", "authorize", "authKey", "authHeader", "rateLimit", "limitValue",
         "endpoints", "methods", "timeout", "mocks", "keys", "limitPeriod", "limitBy", "cors", "maxBodyBytes",
         "stripResponseHeaders", "stripRequestHeaders", "aggregate", "loadBalancing", "forwardHeaders",
         "auth", "hosts", "routes", "tls", "https", "partitionPolicy", "grpcServices", "webSocketIdleTimeout"];
    private static readonly string[] EndpointFields = ["host", "path", "port", "scheme", "protocol"];
    private static readonly string[] MockFields = ["method", "path", "status", "headers", "body", "bodyFile", "delayMs"];

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        // Duplicates are found by JsonPositionIndex, which can say where they are.
        AllowDuplicateProperties = true,
        MaxDepth = 64,
    };

    /// <summary>The longest time a mock may wait before answering.</summary>
    public const int MaxMockDelayMs = 60_000;

    /// <summary>The longest <c>webSocketIdleTimeout</c>, in seconds (one day).</summary>
    public const double MaxWebSocketIdleTimeoutSeconds = 86_400;

    /// <summary>The largest mock body file.</summary>
    public const int MaxMockBodyBytes = 10 * 1024 * 1024;

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,62}$")]
    private static partial Regex NamePattern();

    /// <summary>Whether <paramref name="name"/> is a valid app name (the rule 'name' is validated with).</summary>
    public static bool IsValidName(string name) => NamePattern().IsMatch(name);

    // RFC 9110 token, used for methods and header names.
    [GeneratedRegex(@"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")]
    private static partial Regex TokenPattern();

    // A DNS name or an IPv4 address; IPv6 literals in brackets are checked with Uri.CheckHostName.
    [GeneratedRegex(@"^[A-Za-z0-9]([A-Za-z0-9-]{0,62}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*$")]
    private static partial Regex HostPattern();

    /// <summary>Parses and validates one app file.</summary>
    /// <param name="file">Name used in error messages.</param>
    /// <param name="utf8">The file's bytes.</param>
    /// <param name="baseDirectory">Folder that <c>bodyFile</c> paths are relative to.</param>
    public static AppParseResult Parse(string file, ReadOnlySpan<byte> utf8, string baseDirectory)
    {
        if (utf8.StartsWith(Encoding.UTF8.Preamble)) utf8 = utf8[Encoding.UTF8.Preamble.Length..];
        if (utf8.Trim(" \t\r\n"u8).IsEmpty)
        {
            return AppParseResult.Failed(new ConfigError(file, 1, 1, "$",
                "the file is empty (was it still being written?); an app file is one JSON object"));
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8.ToArray(), DocumentOptions);
        }
        catch (JsonException e)
        {
            var line = (int)(e.LineNumber ?? 0) + 1;
            var column = (int)(e.BytePositionInLine ?? 0) + 1;
            return AppParseResult.Failed(new ConfigError(file, line, column, e.Path ?? "$",
                $"invalid JSON: {StripPosition(e.Message)}"));
        }

        if (FindUnpairedSurrogate(utf8) is { } bad)
        {
            document.Dispose();
            return AppParseResult.Failed(new ConfigError(file, bad.Line, bad.Column, "$",
                "invalid JSON text: a string or field name holds an unpaired surrogate escape (such as \\ud800), which is not a character; write the character itself, or a pair such as \\ud83d\\ude00"));
        }

        using (document)
        {
            var positions = JsonPositionIndex.Build(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
            var scope = new ValidationScope(file, positions);
            foreach (var duplicate in positions.Duplicates)
            {
                scope.Errors.Add(new ConfigError(file, duplicate.Line, duplicate.Column, duplicate.Path,
                    $"duplicate field '{duplicate.Name}' (first given on line {duplicate.FirstLine}); remove one of them"));
            }

            var config = ReadApp(scope, document.RootElement, baseDirectory);
            return scope.Errors.Count == 0 && config is not null
                ? new AppParseResult(config, [])
                : new AppParseResult(null, scope.Errors);
        }
    }

    private static AppConfig? ReadApp(ValidationScope scope, JsonElement root, string baseDirectory)
    {
        if (!JsonObjectReader.TryOpen(scope, root, "$", "an app", AppFields, out var app)) return null;

        // Ignored, but typed: editors read it as the URL of the schema.
        _ = app.String("$schema");

        var name = app.String("name", required: true);
        if (name is not null && !NamePattern().IsMatch(name))
        {
            scope.Error("$.name", $"'name' is \"{name}\"; use 1 to 63 lower-case letters, digits, '-' or '_', starting with a letter or digit (it is the first path segment: /{{name}}/...)");
        }

        var description = app.String("description") ?? "";
        var authorizeField = app.Bool("authorize");
        var auth = ReadAuth(scope, app, baseDirectory, authorizeField);
        var authorize = (authorizeField ?? false) || auth?.Type == AuthType.ApiKey;
        var authKey = app.String("authKey");
        var authHeader = app.String("authHeader") ?? AppConfig.DefaultAuthHeader;
        if (!TokenPattern().IsMatch(authHeader))
        {
            scope.Error("$.authHeader", $"'authHeader' is \"{authHeader}\", which is not a valid HTTP header name");
        }

        if (authKey is not null && (authKey.Length == 0 || authKey.Trim().Length != authKey.Length))
        {
            scope.Error("$.authKey", "'authKey' must be non-empty, without surrounding spaces");
        }

        var rateLimit = app.Bool("rateLimit") ?? false;
        var limitValue = app.Integer("limitValue", 1, int.MaxValue);
        if (rateLimit && limitValue is null && !app.TryGet("limitValue", out _))
        {
            scope.Error("$.rateLimit", "'rateLimit' is true but 'limitValue' is missing; set the number of requests allowed per window");
        }

        var policies = ReadPolicies(scope, app, authorize, authKey, rateLimit, auth);
        var partitionPolicy = ReadPartitionPolicy(scope, app);
        var methods = ReadMethods(scope, app);
        var timeout = app.Number("timeout", 0, 3600) ?? AppConfig.DefaultTimeoutSeconds;
        var endpoints = ReadEndpoints(scope, app);
        var mocks = ReadMocks(scope, app, baseDirectory);
        var fanOut = ReadFanOut(scope, app, name, authHeader);
        var hosts = ReadHosts(scope, app);
        var grpcServices = ReadGrpcServices(scope, app);
        var webSocketIdleTimeout = app.Number("webSocketIdleTimeout", 0, MaxWebSocketIdleTimeoutSeconds) ?? AppConfig.DefaultWebSocketIdleTimeoutSeconds;
        var routes = ReadRoutes(scope, app);
        var (tls, https) = ReadTls(scope, app, baseDirectory, hosts.Count > 0);

        var endpointItems = app.TryGet("endpoints", out var e) && e.ValueKind == JsonValueKind.Array ? e.GetArrayLength() : 0;
        var mockItems = app.TryGet("mocks", out var m) && m.ValueKind == JsonValueKind.Array ? m.GetArrayLength() : 0;
        var routeItems = app.TryGet("routes", out var r) && r.ValueKind == JsonValueKind.Array ? r.GetArrayLength() : 0;
        if (endpointItems == 0 && mockItems == 0 && routeItems == 0 && !app.TryGet("aggregate", out _) && (!app.TryGet("endpoints", out e) || e.ValueKind == JsonValueKind.Array))
        {
            scope.Error(app.TryGet("endpoints", out _) ? "$.endpoints" : "$",
                "the app has no endpoints and no mocks; add at least one endpoint { \"host\", \"port\" } or one mock");
        }

        if (name is null) return null;
        return new AppConfig
        {
            Name = name,
            Description = description,
            Authorize = authorize,
            Auth = auth,
            Hosts = hosts,
            GrpcServices = grpcServices,
            WebSocketIdleTimeout = webSocketIdleTimeout,
            Routes = routes,
            Tls = tls,
            Https = https,
            FilesDigest = FilesDigest(tls, auth),
            AuthKey = authKey,
            AuthHeader = authHeader,
            RateLimit = rateLimit,
            LimitValue = limitValue ?? 0,
            Endpoints = endpoints,
            Methods = methods,
            Timeout = timeout,
            Mocks = mocks,
            Keys = policies.Keys,
            LimitPeriod = policies.LimitPeriod,
            LimitBy = policies.LimitBy,
            PartitionPolicy = partitionPolicy,
            Cors = policies.Cors,
            MaxBodyBytes = policies.MaxBodyBytes,
            StripResponseHeaders = policies.StripResponseHeaders,
            StripRequestHeaders = policies.StripRequestHeaders,
            Aggregate = fanOut.Aggregate,
            LoadBalancing = fanOut.LoadBalancing,
            ForwardHeaders = fanOut.ForwardHeaders,
        };
    }

    private static List<string>? ReadMethods(ValidationScope scope, JsonObjectReader app)
    {
        if (app.Array("methods") is not { } array) return null;
        var methods = new List<string>();
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            var path = $"$.methods[{i++}]";
            if (item.ValueKind != JsonValueKind.String || !TokenPattern().IsMatch(item.GetString()!))
            {
                scope.Error(path, $"a method must be an HTTP method name such as \"GET\", not {JsonObjectReader.Describe(item)}");
                continue;
            }

            var method = item.GetString()!.ToUpperInvariant();
            if (methods.Contains(method)) scope.Error(path, $"method \"{method}\" is listed twice");
            else methods.Add(method);
        }

        if (methods.Count == 0 && i == 0) scope.Error("$.methods", "'methods' is empty, so every request would get 405; list the allowed methods or remove the field to allow all");
        return methods;
    }

    private static List<EndpointConfig> ReadEndpoints(ValidationScope scope, JsonObjectReader app, string basePath = "$.endpoints")
    {
        var endpoints = new List<EndpointConfig>();
        if (app.Array("endpoints") is not { } array) return endpoints;
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            var path = $"{basePath}[{i++}]";
            if (!JsonObjectReader.TryOpen(scope, item, path, "an endpoint", EndpointFields, out var ep)) continue;
            var host = ep.String("host", required: true);
            var port = ep.Integer("port", 1, 65535, required: true);
            var prefix = ep.String("path") ?? "";
            var scheme = ep.String("scheme") ?? "http";
            var protocolName = ep.String("protocol") ?? "http1";
            var valid = host is not null && port is not null;

            if (host is not null && !IsValidHost(host))
            {
                scope.Error($"{path}.host", $"'host' is \"{host}\"; give a host name or IP address only (no scheme, port or path)");
                valid = false;
            }

            if (prefix.Length > 0 && (prefix[0] != '/' || prefix.Contains('?') || prefix.Contains('#') || prefix.Contains(' ')))
            {
                scope.Error($"{path}.path", $"'path' is \"{prefix}\"; it must be empty or start with '/', without '?', '#' or spaces");
                valid = false;
            }

            if (scheme is not ("http" or "https"))
            {
                scope.Error($"{path}.scheme", $"'scheme' is \"{scheme}\"; use \"http\" or \"https\"");
                valid = false;
            }

            var protocol = protocolName switch
            {
                "http1" => EndpointProtocol.Http1,
                "http2" => EndpointProtocol.Http2,
                "h2c" => EndpointProtocol.H2c,
                _ => (EndpointProtocol?)null,
            };
            if (protocol is null)
            {
                scope.Error($"{path}.protocol", $"'protocol' is \"{protocolName}\"; use \"http1\" (default), \"http2\" (HTTP/2 over TLS) or \"h2c\" (HTTP/2 without TLS)");
                valid = false;
            }
            else if (protocol == EndpointProtocol.H2c && scheme == "https")
            {
                scope.Error($"{path}.protocol", "'protocol' \"h2c\" is HTTP/2 without TLS, but 'scheme' is \"https\"; use \"http2\" for HTTP/2 over TLS");
                valid = false;
            }
            else if (protocol == EndpointProtocol.Http2 && scheme == "http")
            {
                scope.Error($"{path}.protocol", "'protocol' \"http2\" is HTTP/2 over TLS, but 'scheme' is \"http\"; set 'scheme' to \"https\", or use \"h2c\" for HTTP/2 without TLS");
                valid = false;
            }

            if (valid)
            {
                endpoints.Add(new EndpointConfig { Host = host!, Port = (int)port!, Path = prefix.TrimEnd('/'), Scheme = scheme, Protocol = protocol!.Value });
            }
        }

        return endpoints;
    }

    private static List<MockConfig> ReadMocks(ValidationScope scope, JsonObjectReader app, string baseDirectory)
    {
        var mocks = new List<MockConfig>();
        if (app.Array("mocks") is not { } array) return mocks;
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            var path = $"$.mocks[{i++}]";
            if (!JsonObjectReader.TryOpen(scope, item, path, "a mock", MockFields, out var mock)) continue;
            var valid = true;
            var method = mock.String("method");
            if (method is not null && !TokenPattern().IsMatch(method))
            {
                scope.Error($"{path}.method", $"'method' is \"{method}\", which is not an HTTP method name");
                valid = false;
            }

            var mockPath = mock.String("path", required: true);
            if (mockPath is null) valid = false;
            else if (!mockPath.StartsWith('/') || mockPath.IndexOf('*') is var star && star >= 0 && star != mockPath.Length - 1)
            {
                scope.Error($"{path}.path", $"'path' is \"{mockPath}\"; it must start with '/' and may end with '*' to match a prefix");
                valid = false;
            }

            // 1xx statuses are interim, never an answer: a client given one as final waits for the real one.
            var status = mock.Integer("status", 200, 599) ?? 200;
            var delay = mock.Integer("delayMs", 0, MaxMockDelayMs) ?? 0;
            var headers = ReadHeaders(scope, mock, $"{path}.headers", ref valid);

            string? body = null;
            var bodyFile = mock.String("bodyFile");
            ReadOnlyMemory<byte> content = default;
            var contentType = "text/plain; charset=utf-8";
            var hasBody = mock.TryGet("body", out var bodyElement);
            if (hasBody && bodyFile is not null)
            {
                scope.Error($"{path}.bodyFile", "a mock has either 'body' or 'bodyFile', not both");
                valid = false;
            }
            else if (hasBody)
            {
                if (bodyElement.ValueKind == JsonValueKind.String)
                {
                    body = bodyElement.GetString()!;
                }
                else
                {
                    body = bodyElement.GetRawText();
                    contentType = "application/json";
                }

                content = Encoding.UTF8.GetBytes(body);
            }
            else if (bodyFile is not null && !IsPathName(scope, $"{path}.bodyFile", "bodyFile", bodyFile))
            {
                valid = false;
            }
            else if (bodyFile is not null)
            {
                var root = System.IO.Path.GetFullPath(baseDirectory);
                var full = System.IO.Path.GetFullPath(System.IO.Path.Combine(root, bodyFile));
                var info = new FileInfo(full);
                if (System.IO.Path.IsPathRooted(bodyFile) || !full.StartsWith(System.IO.Path.TrimEndingDirectorySeparator(root) + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal))
                {
                    scope.Error($"{path}.bodyFile", $"'bodyFile' \"{bodyFile}\" must be a relative path inside the conf folder");
                    valid = false;
                }
                else if (info.Exists && info.Length > MaxMockBodyBytes)
                {
                    scope.Error($"{path}.bodyFile", $"'bodyFile' \"{bodyFile}\" is {info.Length} bytes; a mock body may have at most {MaxMockBodyBytes}");
                    valid = false;
                }
                else try
                {
                    if (!info.Exists) throw new FileNotFoundException("the file does not exist");
                    content = File.ReadAllBytes(full);
                    contentType = System.IO.Path.GetExtension(full).ToLowerInvariant() switch
                    {
                        ".json" => "application/json",
                        ".txt" => "text/plain; charset=utf-8",
                        ".html" or ".htm" => "text/html; charset=utf-8",
                        ".xml" => "application/xml",
                        _ => "application/octet-stream",
                    };
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    scope.Error($"{path}.bodyFile", $"cannot read 'bodyFile' \"{bodyFile}\" (resolved to {full}): {ex.Message}");
                    valid = false;
                }
            }

            if (valid && mockPath is not null)
            {
                mocks.Add(new MockConfig
                {
                    Method = method?.ToUpperInvariant(),
                    Path = mockPath,
                    Status = (int)status,
                    Headers = headers,
                    Body = body,
                    BodyFile = bodyFile,
                    DelayMs = (int)delay,
                    Content = content,
                    DefaultContentType = contentType,
                });
            }
        }

        return mocks;
    }

    private static Dictionary<string, string> ReadHeaders(ValidationScope scope, JsonObjectReader owner, string path, ref bool valid)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (!owner.TryGet("headers", out var element)) return headers;
        if (element.ValueKind != JsonValueKind.Object)
        {
            scope.Error(path, $"'headers' must be an object of header names to string values, not {JsonObjectReader.Describe(element)}");
            valid = false;
            return headers;
        }

        foreach (var header in element.EnumerateObject())
        {
            if (!TokenPattern().IsMatch(header.Name))
            {
                scope.NameError($"{path}.{header.Name}", $"\"{header.Name}\" is not a valid HTTP header name");
                valid = false;
            }
            else if (header.Value.ValueKind != JsonValueKind.String || !IsHeaderText(header.Value.GetString()!))
            {
                scope.Error($"{path}.{header.Name}", $"header \"{header.Name}\" must be a string of printable ASCII (no line breaks, control or non-ASCII characters), not {JsonObjectReader.Describe(header.Value)}");
                valid = false;
            }
            else
            {
                headers[header.Name] = header.Value.GetString()!;
            }
        }

        return headers;
    }

    /// <summary>
    /// Whether <paramref name="text"/> can be sent in a response header as it is: printable ASCII,
    /// spaces and tabs. Kestrel refuses anything else when the answer is written, so a value that
    /// passed validation would make every such answer a 500.
    /// </summary>
    internal static bool IsHeaderText(string text)
    {
        foreach (var c in text)
        {
            if (c is not ('\t' or (>= ' ' and <= '~'))) return false;
        }

        return true;
    }

    /// <summary>
    /// Whether <paramref name="file"/> can name a file at all. No path holds a NUL character, and
    /// .NET refuses one with an exception rather than as a missing file, so it is reported here,
    /// before the name is resolved. Used for every file an app file names.
    /// </summary>
    private static bool IsPathName(ValidationScope scope, string jsonPath, string field, string file)
    {
        if (!file.Contains('\0')) return true;
        scope.Error(jsonPath, $"'{field}' \"{file.Replace("\0", "\\0")}\" holds a NUL character, which no file name can");
        return false;
    }

    private static bool IsValidHost(string host) =>
        host.Length <= 253 && (HostPattern().IsMatch(host)
            || host.StartsWith('[') && host.EndsWith(']') && Uri.CheckHostName(host[1..^1]) == UriHostNameType.IPv6);

    /// <summary>
    /// Where a string or member name holds a <c>\uXXXX</c> escape of half a surrogate pair. The JSON
    /// grammar allows it and <see cref="JsonDocument"/> parses it, but it is not text, so reading it
    /// as a string throws: found here, once, before anything reads strings.
    /// </summary>
    public static (int Line, int Column)? FindUnpairedSurrogate(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IndexOf("\\u"u8) < 0) return null;
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = DocumentOptions.MaxDepth });
        while (reader.Read())
        {
            if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName) || !reader.ValueIsEscaped) continue;
            try
            {
                _ = reader.GetString();
            }
            catch (InvalidOperationException)
            {
                var before = utf8[..(int)reader.TokenStartIndex];
                var line = before.Count((byte)'\n') + 1;
                var column = before.Length - (before.LastIndexOf((byte)'\n') + 1) + 1;
                return (line, column);
            }
        }

        return null;
    }

    private static string StripPosition(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut < 0) cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut].TrimEnd() : message;
    }
}
