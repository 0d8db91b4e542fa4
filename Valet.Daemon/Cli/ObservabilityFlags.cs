using System.CommandLine;
using Valet.Core.Diagnostics.AccessLog;
using Valet.Daemon.Hosting;

namespace Valet.Daemon.Cli;

/// <summary>Access log and telemetry export on the command line: flag, else <c>VALET_*</c> environment variable, else default.</summary>
public sealed class ObservabilityFlags
{
    private readonly Option<string> _accessLog = new("--access-log")
    {
        Description = "Access log on standard output, one line per request: json, clf (Common Log Format plus Valet's fields) or off. Env: VALET_ACCESS_LOG. Default json.",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("VALET_ACCESS_LOG") is { Length: > 0 } v ? v : "json",
    };

    private readonly Option<string?> _otlpEndpoint = new("--otlp-endpoint")
    {
        Description = "Base URL of an OTLP/HTTP receiver (e.g. http://127.0.0.1:4318): traces and metrics are exported to /v1/traces and /v1/metrics. Env: VALET_OTLP_ENDPOINT. Default: no export.",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("VALET_OTLP_ENDPOINT") is { Length: > 0 } v ? v : null,
    };

    public ObservabilityFlags()
    {
        _accessLog.Validators.Add(r =>
        {
            var value = r.GetValueOrDefault<string>();
            if (!AccessLogFormats.TryParse(value, out _)) r.AddError($"--access-log '{value}' is not one of off, json, clf (VALET_ACCESS_LOG too)");
        });
        _otlpEndpoint.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is not { } value) return;
            if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || uri.Query.Length > 0)
            {
                r.AddError($"--otlp-endpoint '{value}' is not an http(s) base URL such as http://127.0.0.1:4318");
            }
        });
    }

    public void AddTo(Command command)
    {
        command.Options.Add(_accessLog);
        command.Options.Add(_otlpEndpoint);
    }

    public ValetOptions Apply(ParseResult parse, ValetOptions options)
    {
        AccessLogFormats.TryParse(parse.GetValue(_accessLog), out var format);
        return options with
        {
            AccessLog = format,
            OtlpEndpoint = parse.GetValue(_otlpEndpoint) is { } url ? new Uri(url) : null,
        };
    }
}
