using System.CommandLine;
using System.Net;
using Valet.Daemon.Hosting;

namespace Valet.Daemon.Cli;

/// <summary>The <c>valet</c> command line. Every setting: flag, else <c>VALET_*</c> environment variable, else default.</summary>
public static class ValetCommand
{
    public static RootCommand Create(TextWriter stderr)
    {
        var conf = new Option<string>("--conf")
        {
            Description = "Folder of app files (*.json, one app each). Env: VALET_CONF.",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("VALET_CONF") is { Length: > 0 } v ? v : "./conf",
        };
        var port = new Option<int>("--port")
        {
            Description = "Port of the public listener (0 = any free port). Env: VALET_PORT.",
            DefaultValueFactory = r => ParseEnvInt(r, "VALET_PORT", ValetOptions.DefaultPort),
        };
        port.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 0 or > 65535) r.AddError("--port must be from 0 to 65535");
        });
        var h2cPort = new Option<int?>("--h2c-port")
        {
            Description = "Optional port for cleartext HTTP/2 clients (prior knowledge, e.g. h2load, gRPC); off by default. Env: VALET_H2C_PORT.",
            DefaultValueFactory = r => Environment.GetEnvironmentVariable("VALET_H2C_PORT") is { Length: > 0 } v ? ParseEnvInt(r, "VALET_H2C_PORT", 0) : null,
        };
        h2cPort.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is < 0 or > 65535) r.AddError("--h2c-port must be from 0 to 65535");
        });
        var httpsPort = new Option<int?>("--https-port")
        {
            Description = $"Port of the HTTPS listener (HTTP/1.1 and HTTP/2, certificates by SNI from the apps' tls); off by default, {ValetOptions.DefaultHttpsPort} when given without a number. Env: VALET_HTTPS_PORT.",
            Arity = ArgumentArity.ZeroOrOne,
            DefaultValueFactory = r => Environment.GetEnvironmentVariable("VALET_HTTPS_PORT") is { Length: > 0 } ? ParseEnvInt(r, "VALET_HTTPS_PORT", 0) : null,
            CustomParser = r => r.Tokens.Count == 0 ? ValetOptions.DefaultHttpsPort : int.TryParse(r.Tokens[0].Value, out var p) ? p : ParseError(r),
        };
        httpsPort.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is < 0 or > 65535) r.AddError("--https-port must be from 0 to 65535");
        });
        var tlsCert = new Option<string?>("--tls-cert")
        {
            Description = "PEM certificate for host names no app's tls covers (default: a self-signed one made at start). Env: VALET_TLS_CERT.",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("VALET_TLS_CERT") is { Length: > 0 } v ? v : null,
        };
        var tlsKey = new Option<string?>("--tls-key")
        {
            Description = "PEM private key of --tls-cert. Env: VALET_TLS_KEY.",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("VALET_TLS_KEY") is { Length: > 0 } v ? v : null,
        };
        var bind = new Option<string>("--bind")
        {
            Description = "Address of the public listener, e.g. 127.0.0.1 or ::1; default every interface. Env: VALET_BIND.",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("VALET_BIND") ?? "",
        };
        bind.Validators.Add(r =>
        {
            var value = r.GetValueOrDefault<string>();
            if (!string.IsNullOrEmpty(value) && value != "*" && !IPAddress.TryParse(value, out _))
            {
                r.AddError($"--bind '{value}' is not an IP address (use e.g. 127.0.0.1, ::1 or * for every interface)");
            }
        });

        var root = new RootCommand("Valet: an API gateway that fronts backend apps described by JSON files, on one base URL (/{app}/...).")
        {
            conf, port, h2cPort, bind, httpsPort, tlsCert, tlsKey,
        };
        root.Validators.Add(r =>
        {
            if ((r.GetValue(tlsCert) is null) != (r.GetValue(tlsKey) is null)) r.AddError("--tls-cert and --tls-key go together");
        });
        root.Subcommands.Add(HashKeyCommand.Create(Console.In, Console.Out, stderr));
        var admin = new AdminFlags();
        admin.AddTo(root);
        var lifecycle = new LifecycleFlags();
        lifecycle.AddTo(root);
        root.Subcommands.Add(CheckCommand.Create());
        root.Subcommands.Add(HashPasswordCommand.Create(Console.In, Console.Out, stderr));
        root.SetAction((parse, cancellationToken) =>
        {
            var bindValue = parse.GetValue(bind);
            var options = new ValetOptions
            {
                ConfDirectory = parse.GetValue(conf)!,
                Port = parse.GetValue(port),
                H2cPort = parse.GetValue(h2cPort),
                HttpsPort = parse.GetValue(httpsPort),
                TlsCertFile = parse.GetValue(tlsCert),
                TlsKeyFile = parse.GetValue(tlsKey),
                Bind = string.IsNullOrEmpty(bindValue) || bindValue == "*" ? null : IPAddress.Parse(bindValue),
            };
            options = admin.Apply(parse, options);
            options = lifecycle.Apply(parse, options);
            return DaemonRunner.RunAsync(options, stderr, cancellationToken);
        });
        return root;
    }

    private static int? ParseError(System.CommandLine.Parsing.ArgumentResult result)
    {
        result.AddError($"'{result.Tokens[0].Value}' is not a port number");
        return null;
    }

    internal static int ParseEnvInt(System.CommandLine.Parsing.ArgumentResult result, string name, int fallback)
    {
        var value = Environment.GetEnvironmentVariable(name);
        if (string.IsNullOrEmpty(value)) return fallback;
        if (int.TryParse(value, out var parsed)) return parsed;
        result.AddError($"{name}='{value}' is not a whole number");
        return fallback;
    }
}
