using System.Diagnostics;
using System.Text;
using Valet.Core.Configuration;
using Valet.Daemon.Tests.Infrastructure;

namespace Valet.Daemon.Tests.Schema;

/// <summary>
/// Requirement 11: <c>conf/app.schema.json</c> and Valet's validator agree. Each case is one file in
/// a folder of its own; the validator judges it as the daemon loads it, and a real JSON Schema
/// implementation (Debian's python3-jsonschema, Draft 2020-12) judges it against the schema, with
/// duplicate members refused as the daemon's JSON reader refuses them.
/// </summary>
public sealed class AppSchemaTests
{
    private const string Python = "/usr/bin/python3";

    private const string Script = """
        import json, sys
        import jsonschema
        schema = json.load(open(sys.argv[1], encoding="utf-8"))
        jsonschema.Draft202012Validator.check_schema(schema)
        validator = jsonschema.Draft202012Validator(schema)
        def no_duplicates(pairs):
            keys = [k for k, _ in pairs]
            if len(keys) != len(set(keys)):
                raise ValueError("duplicate member")
            return dict(pairs)
        for path in sys.argv[2:]:
            try:
                with open(path, "rb") as f:
                    doc = json.loads(f.read().decode("utf-8-sig"), object_pairs_hook=no_duplicates)
            except ValueError as e:
                print(path + "\tinvalid\tnot JSON: " + str(e))
                continue
            errors = [("/".join(str(p) for p in e.absolute_path) or "$") + ": " + e.message for e in validator.iter_errors(doc)]
            print(path + "\t" + ("valid" if not errors else "invalid\t" + "; ".join(errors)))
        """;

    private const string Endpoint = """{ "host": "a.example", "port": 8080 }""";

    /// <summary>A valid basic-auth password hash, as printed by <c>valet hash-password</c>.</summary>
    private const string PasswordHash = "pbkdf2-sha256$600000$jvXu1BM/2yoEei2xwtZbmA==$ba9rvFwvL7P8QEeb+iyLtJ3KfuHCI6aHpQXaJjZfstU=";

    /// <summary>Every way the validator's table says an app file can be wrong, that one file can show.</summary>
    public static readonly Dictionary<string, string> InvalidCases = new()
    {
        ["truncated mid-string (half-written file)"] = "{\n  \"name\": \"api1\",\n  \"endpoints\": [\n    { \"host\": \"a.example\", \"po",
        ["truncated after a line (half-written file)"] = "{\n  \"name\": \"api1\",\n  \"endpoints\": [\n    { \"host\": \"a.example\", \"port\": 8080 }\n",
        ["trailing comma"] = "{\n  \"name\": \"api1\",\n}",
        ["empty file"] = "",
        ["whitespace and BOM only"] = "\uFEFF  \r\n\t\n",
        ["root is an array"] = "[ { \"name\": \"api1\" } ]",
        ["root is a string"] = "\"api1\"",
        ["unknown field"] = $$"""{ "name": "api1", "retries": 3, "endpoints": [ {{Endpoint}} ] }""",
        ["field name in the wrong case"] = $$"""{ "Name": "api1", "endpoints": [ {{Endpoint}} ] }""",
        ["endpoint field in the wrong case"] = """{ "name": "api1", "endpoints": [ { "host": "a.example", "Port": 8080 } ] }""",
        ["port is a string"] = """{ "name": "api1", "endpoints": [ { "host": "a.example", "port": "8080" } ] }""",
        ["missing name"] = $$"""{ "description": "no name", "endpoints": [ {{Endpoint}} ] }""",
        ["name is a number"] = $$"""{ "name": 42, "endpoints": [ {{Endpoint}} ] }""",
        ["name in upper case"] = $$"""{ "name": "MyApp", "endpoints": [ {{Endpoint}} ] }""",
        ["name with a slash"] = $$"""{ "name": "a/b", "endpoints": [ {{Endpoint}} ] }""",
        ["name too long"] = $$"""{ "name": "{{new string('a', 64)}}", "endpoints": [ {{Endpoint}} ] }""",
        ["port 0"] = """{ "name": "api1", "endpoints": [ { "host": "a.example", "port": 0 } ] }""",
        ["port 70000"] = """{ "name": "api1", "endpoints": [ { "host": "a.example", "port": 70000 } ] }""",
        ["port missing"] = """{ "name": "api1", "endpoints": [ { "host": "a.example" } ] }""",
        ["empty endpoints and no mocks"] = """{ "name": "api1", "endpoints": [] }""",
        ["neither endpoints nor mocks"] = """{ "name": "api1" }""",
        ["endpoints is an object"] = $$"""{ "name": "api1", "endpoints": {{Endpoint}} }""",
        ["bad scheme"] = """{ "name": "api1", "endpoints": [ { "host": "a.example", "port": 8080, "scheme": "ftp" } ] }""",
        ["authorize without authKey"] = $$"""{ "name": "api1", "authorize": true, "endpoints": [ {{Endpoint}} ] }""",
        ["authorize with an empty authKey"] = $$"""{ "name": "api1", "authorize": true, "authKey": "", "endpoints": [ {{Endpoint}} ] }""",
        ["authorize with a null authKey"] = $$"""{ "name": "api1", "authorize": true, "authKey": null, "endpoints": [ {{Endpoint}} ] }""",
        ["authHeader not a header name"] = $$"""{ "name": "api1", "authHeader": "X Auth", "endpoints": [ {{Endpoint}} ] }""",
        ["rateLimit without limitValue"] = $$"""{ "name": "api1", "rateLimit": true, "endpoints": [ {{Endpoint}} ] }""",
        ["limitValue 0"] = $$"""{ "name": "api1", "rateLimit": true, "limitValue": 0, "endpoints": [ {{Endpoint}} ] }""",
        ["limitValue a string"] = $$"""{ "name": "api1", "limitValue": "2", "endpoints": [ {{Endpoint}} ] }""",
        ["authorize a string"] = $$"""{ "name": "api1", "authorize": "yes", "endpoints": [ {{Endpoint}} ] }""",
        ["host with a scheme"] = """{ "name": "api1", "endpoints": [ { "host": "http://a.example", "port": 8080 } ] }""",
        ["host with a path"] = """{ "name": "api1", "endpoints": [ { "host": "a.example/api", "port": 8080 } ] }""",
        ["host with a port"] = """{ "name": "api1", "endpoints": [ { "host": "a.example:80", "port": 8080 } ] }""",
        ["endpoint path without a leading slash"] = """{ "name": "api1", "endpoints": [ { "host": "a.example", "port": 8080, "path": "api" } ] }""",
        ["endpoint path with a query"] = """{ "name": "api1", "endpoints": [ { "host": "a.example", "port": 8080, "path": "/api?x=1" } ] }""",
        ["method not a method name"] = $$"""{ "name": "api1", "methods": [ "GET POST" ], "endpoints": [ {{Endpoint}} ] }""",
        ["method listed twice"] = $$"""{ "name": "api1", "methods": [ "GET", "GET" ], "endpoints": [ {{Endpoint}} ] }""",
        ["methods empty"] = $$"""{ "name": "api1", "methods": [], "endpoints": [ {{Endpoint}} ] }""",
        ["timeout 0"] = $$"""{ "name": "api1", "timeout": 0, "endpoints": [ {{Endpoint}} ] }""",
        ["timeout negative"] = $$"""{ "name": "api1", "timeout": -1, "endpoints": [ {{Endpoint}} ] }""",
        ["timeout over an hour"] = $$"""{ "name": "api1", "timeout": 3601, "endpoints": [ {{Endpoint}} ] }""",
        ["mock path without a leading slash"] = """{ "name": "api1", "mocks": [ { "path": "users" } ] }""",
        ["mock path with a star in the middle"] = """{ "name": "api1", "mocks": [ { "path": "/users/*/x" } ] }""",
        ["mock path missing"] = """{ "name": "api1", "mocks": [ { "status": 200 } ] }""",
        ["mock status 600"] = """{ "name": "api1", "mocks": [ { "path": "/", "status": 600 } ] }""",
        ["mock status 101, an interim status"] = """{ "name": "api1", "mocks": [ { "path": "/", "status": 101 } ] }""",
        ["mock status 99"] = """{ "name": "api1", "mocks": [ { "path": "/", "status": 99 } ] }""",
        ["mock delay over a minute"] = """{ "name": "api1", "mocks": [ { "path": "/", "delayMs": 60001 } ] }""",
        ["mock with body and bodyFile"] = """{ "name": "api1", "mocks": [ { "path": "/", "body": "x", "bodyFile": "report.csv" } ] }""",
        ["mock header with a line break"] = """{ "name": "api1", "mocks": [ { "path": "/", "headers": { "X-A": "a\r\nX-B: b" } } ] }""",
        ["mock header value not ASCII"] = """{ "name": "api1", "mocks": [ { "path": "/", "headers": { "X-A": "caf\u00e9" } } ] }""",
        ["mock header value with a control character"] = """{ "name": "api1", "mocks": [ { "path": "/", "headers": { "X-A": "a\u0001b" } } ] }""",
        ["mock header name invalid"] = """{ "name": "api1", "mocks": [ { "path": "/", "headers": { "X A": "a" } } ] }""",
        ["mock header value a number"] = """{ "name": "api1", "mocks": [ { "path": "/", "headers": { "X-A": 1 } } ] }""",
        ["unknown field in a mock"] = """{ "name": "api1", "mocks": [ { "path": "/", "reply": "x" } ] }""",
        ["mock method not a method name"] = """{ "name": "api1", "mocks": [ { "path": "/", "method": "G T" } ] }""",
        ["duplicate property at the top"] = $$"""{ "name": "api1", "name": "api2", "endpoints": [ {{Endpoint}} ] }""",
        ["duplicate property in an endpoint"] = """{ "name": "api1", "endpoints": [ { "host": "a.example", "port": 1, "port": 2 } ] }""",
        ["$schema not a string"] = $$"""{ "$schema": 5, "name": "api1", "endpoints": [ {{Endpoint}} ] }""",
        ["keys without authorize"] = $$"""{ "name": "api1", "keys": [ { "id": "a", "key": "k" } ], "endpoints": [ {{Endpoint}} ] }""",
        ["consumer id with a space"] = $$"""{ "name": "api1", "authorize": true, "keys": [ { "id": "a b", "key": "k" } ], "endpoints": [ {{Endpoint}} ] }""",
        ["hashed key too short"] = $$"""{ "name": "api1", "authorize": true, "keys": [ { "id": "a", "key": "sha256:abc" } ], "endpoints": [ {{Endpoint}} ] }""",
        ["limitBy unknown"] = $$"""{ "name": "api1", "limitBy": "user", "endpoints": [ {{Endpoint}} ] }""",
        ["limitBy consumer without authorize"] = $$"""{ "name": "api1", "rateLimit": true, "limitValue": 1, "limitBy": "consumer", "endpoints": [ {{Endpoint}} ] }""",
        ["limitPeriod 0"] = $$"""{ "name": "api1", "limitPeriod": 0, "endpoints": [ {{Endpoint}} ] }""",
        ["cors without origins"] = $$"""{ "name": "api1", "cors": { "methods": [ "GET" ] }, "endpoints": [ {{Endpoint}} ] }""",
        ["cors origin with a path"] = $$"""{ "name": "api1", "cors": { "origins": [ "https://a.example/x" ] }, "endpoints": [ {{Endpoint}} ] }""",
        ["maxBodyBytes negative"] = $$"""{ "name": "api1", "maxBodyBytes": -1, "endpoints": [ {{Endpoint}} ] }""",
        ["strip header pattern only a star"] = $$"""{ "name": "api1", "stripResponseHeaders": [ "*" ], "endpoints": [ {{Endpoint}} ] }""",
        ["aggregate with endpoints"] = $$"""{ "name": "agg", "aggregate": { "parts": [ { "key": "a", "app": "hello", "path": "/" } ] }, "endpoints": [ {{Endpoint}} ] }""",
        ["aggregate without parts"] = """{ "name": "agg", "aggregate": { "timeout": 5 } }""",
        ["aggregate part without a key"] = """{ "name": "agg", "aggregate": { "parts": [ { "app": "hello", "path": "/" } ] } }""",
        ["aggregate with a timeout of its own"] = """{ "name": "agg", "timeout": 3, "aggregate": { "parts": [ { "key": "a", "app": "hello", "path": "/" } ] } }""",
        ["forwardHeaders without aggregate"] = $$"""{ "name": "api1", "forwardHeaders": [ "Accept" ], "endpoints": [ {{Endpoint}} ] }""",
        ["loadBalancing unknown"] = $$"""{ "name": "api1", "loadBalancing": "random", "endpoints": [ {{Endpoint}} ] }""",
        ["route with endpoints and target"] = $$"""{ "name": "api1", "routes": [ { "id": "r", "path": "/a", "target": "https://fn.example/a", "endpoints": [ {{Endpoint}} ] } ] }""",
        ["route path with a star"] = """{ "name": "api1", "routes": [ { "id": "r", "path": "/a/*", "target": "https://fn.example/a" } ] }""",
        ["host with a port in hosts"] = $$"""{ "name": "api1", "hosts": [ "api.example.com:443" ], "endpoints": [ {{Endpoint}} ] }""",
        ["https unknown"] = $$"""{ "name": "api1", "https": "always", "endpoints": [ {{Endpoint}} ] }""",
        ["tls without hosts"] = $$"""{ "name": "api1", "tls": { "cert": "report.csv", "key": "report.csv" }, "endpoints": [ {{Endpoint}} ] }""",
        ["auth realm not ASCII"] = $$"""{ "name": "api1", "auth": { "type": "basic", "realm": "\u00e9quipe", "users": [ { "name": "ada", "password": "{{PasswordHash}}" } ] }, "endpoints": [ {{Endpoint}} ] }""",
        ["auth type unknown"] = $$"""{ "name": "api1", "auth": { "type": "saml" }, "endpoints": [ {{Endpoint}} ] }""",
        ["basic auth without users"] = $$"""{ "name": "api1", "auth": { "type": "basic" }, "endpoints": [ {{Endpoint}} ] }""",
        ["basic auth with a plain password"] = $$"""{ "name": "api1", "auth": { "type": "basic", "users": [ { "name": "ada", "password": "secret" } ] }, "endpoints": [ {{Endpoint}} ] }""",
        ["jwt secret too short"] = $$"""{ "name": "api1", "auth": { "type": "jwt", "signingKeys": [ { "secret": "short" } ] }, "endpoints": [ {{Endpoint}} ] }""",
        ["oidc without audience"] = $$"""{ "name": "api1", "auth": { "type": "oidc", "authority": "https://login.example" }, "endpoints": [ {{Endpoint}} ] }""",
        ["auth basic with authKey"] = $$"""{ "name": "api1", "authKey": "k", "auth": { "type": "basic", "users": [ { "name": "ada", "password": "{{PasswordHash}}" } ] }, "endpoints": [ {{Endpoint}} ] }""",
        ["partitionPolicy unknown"] = $$"""{ "name": "api1", "partitionPolicy": "strict", "endpoints": [ {{Endpoint}} ] }""",
        ["endpoint protocol unknown"] = """{ "name": "api1", "endpoints": [ { "host": "a.example", "port": 8080, "protocol": "http3" } ] }""",
        ["endpoint h2c over https"] = """{ "name": "api1", "endpoints": [ { "host": "a.example", "port": 8080, "scheme": "https", "protocol": "h2c" } ] }""",
        ["endpoint http2 without TLS"] = """{ "name": "api1", "endpoints": [ { "host": "a.example", "port": 8080, "protocol": "http2" } ] }""",
        ["grpcServices name with a slash"] = $$"""{ "name": "api1", "grpcServices": [ "pkg/Service" ], "endpoints": [ {{Endpoint}} ] }""",
        ["grpcServices listed twice"] = $$"""{ "name": "api1", "grpcServices": [ "pkg.Echo", "pkg.Echo" ], "endpoints": [ {{Endpoint}} ] }""",
        ["webSocketIdleTimeout 0"] = $$"""{ "name": "api1", "webSocketIdleTimeout": 0, "endpoints": [ {{Endpoint}} ] }""",
        ["webSocketIdleTimeout a string"] = $$"""{ "name": "api1", "webSocketIdleTimeout": "5m", "endpoints": [ {{Endpoint}} ] }""",
    };

    /// <summary>Valid files, including the corners: nulls as absent, IPv6, BOM, lower-case methods, bodyFile.</summary>
    public static readonly Dictionary<string, string> ValidCases = new()
    {
        ["one endpoint"] = $$"""{ "name": "api1", "endpoints": [ {{Endpoint}} ] }""",
        ["every field"] = """
            {
              "$schema": "../app.schema.json",
              "name": "all-fields_1",
              "description": "every field",
              "authorize": true,
              "authKey": "k",
              "authHeader": "X-Api-Key",
              "rateLimit": true,
              "limitValue": 2147483647,
              "endpoints": [ { "host": "10.0.0.1", "port": 65535, "path": "/api/v1", "scheme": "https" }, { "host": "[::1]", "port": 1 } ],
              "methods": [ "GET", "post" ],
              "timeout": 0.5,
              "mocks": [ { "method": "GET", "path": "/users/*", "status": 599, "headers": { "Cache-Control": "no-cache" }, "body": [ { "id": 1 } ], "delayMs": 60000 } ]
            }
            """,
        ["nulls count as absent"] = $$"""{ "name": "api1", "description": null, "authKey": null, "authHeader": null, "limitValue": null, "methods": null, "timeout": null, "mocks": null, "endpoints": [ { "host": "a.example", "port": 1, "path": null, "scheme": null } ] }""",
        ["mock-only with bodyFile"] = """{ "name": "report", "mocks": [ { "path": "/report", "bodyFile": "report.csv", "body": null } ] }""",
        ["mock body a string"] = """{ "name": "api1", "mocks": [ { "path": "/", "body": "hello", "method": "DELETE" } ] }""",
        ["UTF-8 BOM"] = "\uFEFF" + $$"""{ "name": "api1", "endpoints": [ {{Endpoint}} ] }""",
        ["authorize false without key"] = $$"""{ "name": "api1", "authorize": false, "rateLimit": false, "endpoints": [ {{Endpoint}} ] }""",
        ["empty endpoints with mocks"] = """{ "name": "api1", "endpoints": [], "mocks": [ { "path": "/" } ] }""",
        ["aggregate"] = """{ "name": "agg", "methods": [ "GET", "POST" ], "forwardHeaders": [ "Accept" ], "aggregate": { "parts": [ { "key": "a", "app": "hello", "path": "/" }, { "key": "b.2", "app": "other", "path": "/x", "method": "POST", "required": false, "timeout": 0.5 } ], "timeout": 5, "includeMeta": true } }""",
        ["routes only"] = $$"""{ "name": "api1", "routes": [ { "id": "users", "path": "/users", "methods": [ "GET" ], "endpoints": [ {{Endpoint}} ] }, { "id": "fn", "path": "/fn", "target": "https://fn.example/get-user" } ] }""",
        ["hosts, https and the cluster fields"] = $$"""{ "name": "api1", "hosts": [ "api.example.com", "*.fn.example.com" ], "https": "only", "loadBalancing": "leastRequests", "partitionPolicy": "open", "rateLimit": true, "limitValue": 5, "endpoints": [ {{Endpoint}} ] }""",
        ["basic auth"] = $$"""{ "name": "api1", "auth": { "type": "basic", "realm": "staff", "users": [ { "name": "ada", "password": "{{PasswordHash}}" } ] }, "endpoints": [ {{Endpoint}} ] }""",
        ["jwt auth with a secret"] = $$"""{ "name": "api1", "auth": { "type": "jwt", "signingKeys": [ { "kid": "k1", "secret": "{{new string('s', 32)}}" } ], "issuer": "https://issuer.example", "audience": [ "api1" ], "requiredClaims": { "application_claim": "api1" }, "clockSkew": 10 }, "endpoints": [ {{Endpoint}} ] }""",
        ["oidc auth"] = $$"""{ "name": "api1", "auth": { "type": "oidc", "authority": "https://login.example", "audience": "client-1", "tokenHeader": "X-Token" }, "endpoints": [ {{Endpoint}} ] }""",
        ["public auth"] = $$"""{ "name": "api1", "auth": { "type": "public" }, "endpoints": [ {{Endpoint}} ] }""",
        ["endpoint path empty"] = """{ "name": "api1", "endpoints": [ { "host": "a-b.example", "port": 80, "path": "" } ] }""",
        ["protocols and websocket/grpc fields"] = """
            { "name": "api1", "grpcServices": [ "valet.test.v1.Echo", "Greeter" ], "webSocketIdleTimeout": 0.5,
              "endpoints": [ { "host": "a.example", "port": 1, "protocol": "h2c" }, { "host": "a.example", "port": 2, "scheme": "https", "protocol": "http2" },
                             { "host": "a.example", "port": 3, "protocol": "http1" } ] }
            """,
        ["every policy field"] = $$"""
            { "name": "p", "endpoints": [ {{Endpoint}} ], "authorize": true,
              "keys": [ { "id": "alice", "key": "ka", "limitValue": 9 }, { "id": "bob", "key": "sha256:{{new string('a', 64)}}" } ],
              "rateLimit": true, "limitValue": 5, "limitPeriod": 10, "limitBy": "consumer",
              "cors": { "origins": [ "https://web.example", "*" ], "methods": [ "GET" ], "headers": [ "Content-Type" ], "exposeHeaders": [ "X-Total" ], "credentials": true, "maxAge": 30 },
              "maxBodyBytes": 1024, "stripResponseHeaders": [ "Server", "X-Internal-*" ], "stripRequestHeaders": [ "Cookie" ] }
            """,
    };

    /// <summary>Errors only the validator can find: they depend on other files or on the file system, which a schema cannot see.</summary>
    public static readonly Dictionary<string, (string Json, string Note)> ValidatorOnlyCases = new()
    {
        ["mock bodyFile missing"] = ("""{ "name": "api1", "mocks": [ { "path": "/", "bodyFile": "missing.csv" } ] }""", "the file system"),
        ["method listed twice in different case"] = ($$"""{ "name": "api1", "methods": [ "GET", "get" ], "endpoints": [ {{Endpoint}} ] }""", "case-insensitive uniqueness"),
    };

    [Fact]
    public void Samples_ValidForSchemaAndValidator_AndReferenceTheSchema()
    {
        var conf = Path.Combine(RepoRoot.Find(), "conf");
        var samples = Directory.EnumerateFiles(conf, "*.json", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith(".schema.json", StringComparison.Ordinal))
            .ToList();
        samples.Should().NotBeEmpty();

        var schema = RunSchema(samples);

        foreach (var sample in samples)
        {
            var validator = AppDirectoryLoader.LoadFile(sample, Path.GetDirectoryName(sample)!);
            validator.Errors.Should().BeEmpty(sample);
            schema[sample].Should().Be("valid", sample);
            var reference = Path.GetRelativePath(Path.GetDirectoryName(sample)!, Path.Combine(conf, "app.schema.json"));
            File.ReadAllText(sample).Should().Contain($"\"$schema\": \"{(reference.StartsWith('.') ? reference : "./" + reference)}\"", sample);
        }
    }

    [Fact]
    public void InvalidCases_RejectedBySchemaAndValidator()
    {
        var verdicts = Judge(InvalidCases);

        verdicts.Where(v => v.Validator).Select(v => v.Case).Should().BeEmpty("the validator must reject every invalid case");
        verdicts.Where(v => v.Schema == "valid").Select(v => v.Case).Should().BeEmpty("the schema must reject every invalid case");
    }

    [Fact]
    public void ValidCases_AcceptedBySchemaAndValidator()
    {
        var verdicts = Judge(ValidCases);

        verdicts.Where(v => !v.Validator).Select(v => $"{v.Case}: {v.Errors}").Should().BeEmpty("the validator must accept every valid case");
        verdicts.Where(v => v.Schema != "valid").Select(v => $"{v.Case}: {v.Schema}").Should().BeEmpty("the schema must accept every valid case");
    }

    [Fact]
    public void ValidatorOnlyCases_SchemaCannotSee_ValidatorRejects()
    {
        var verdicts = Judge(ValidatorOnlyCases.ToDictionary(c => c.Key, c => c.Value.Json));

        verdicts.Should().OnlyContain(v => !v.Validator && v.Schema == "valid");
    }

    private sealed record Verdict(string Case, bool Validator, string Errors, string Schema);

    private static List<Verdict> Judge(IReadOnlyDictionary<string, string> cases)
    {
        using var root = new TempFolder();
        var files = new List<(string Case, string Path)>();
        var i = 0;
        foreach (var (name, json) in cases)
        {
            var folder = Path.Combine(root.Path, $"case{i++}");
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, "report.csv"), "a,b\n");
            var path = Path.Combine(folder, "app.json");
            File.WriteAllBytes(path, Encoding.UTF8.GetBytes(json));
            files.Add((name, path));
        }

        var schema = RunSchema(files.Select(f => f.Path).ToList());
        return files.Select(f =>
        {
            var loaded = AppDirectoryLoader.LoadFile(f.Path, Path.GetDirectoryName(f.Path)!);
            return new Verdict(f.Case, loaded.Succeeded, string.Join("; ", loaded.Errors), schema[f.Path]);
        }).ToList();
    }

    /// <summary>path → "valid" or "invalid\t...", from python3-jsonschema.</summary>
    private static Dictionary<string, string> RunSchema(IReadOnlyList<string> files)
    {
        File.Exists(Python).Should().BeTrue($"{Python} is needed: apt-get install -y python3-jsonschema (as .ci/run does)");
        var info = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(Script);
        info.ArgumentList.Add(Path.Combine(RepoRoot.Find(), "conf", "app.schema.json"));
        foreach (var file in files) info.ArgumentList.Add(file);
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        process.ExitCode.Should().Be(0, $"python3-jsonschema must run (apt-get install -y python3-jsonschema): {stderr.Result}");

        var verdicts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var tab = line.IndexOf('\t');
            verdicts[line[..tab]] = line[(tab + 1)..];
        }

        verdicts.Keys.Should().BeEquivalentTo(files);
        return verdicts;
    }
}
