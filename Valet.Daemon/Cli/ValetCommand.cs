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

        var nodeId = new Option<string>("--node-id")
        {
            Description = "This node's id in a cluster (unique per node). Env: VALET_NODE_ID. Default: the host name.",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("VALET_NODE_ID") is { Length: > 0 } v ? v : Environment.MachineName,
        };
        var peers = new Option<string[]>("--peer")
        {
            Description = "Peer listener URL of another node (http://host:8002, or https:// with TLS); repeat for each peer. Env: VALET_PEERS (comma-separated).",
            Arity = ArgumentArity.ZeroOrMore,
            DefaultValueFactory = _ => (Environment.GetEnvironmentVariable("VALET_PEERS") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        };
        peers.Validators.Add(r =>
        {
            foreach (var value in r.GetValueOrDefault<string[]>() ?? [])
            {
                if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || uri.AbsolutePath != "/")
                {
                    r.AddError($"--peer '{value}' is not a peer address; use http://host:port (or https://host:port when peers use TLS)");
                }
            }
        });
        var peerPort = new Option<int>("--peer-port")
        {
            Description = "Port of the peer listener (gRPC over HTTP/2), open when peers are given. Env: VALET_PEER_PORT.",
            DefaultValueFactory = r => ParseEnvInt(r, "VALET_PEER_PORT", ValetOptions.DefaultPeerPort),
        };
        peerPort.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 0 or > 65535) r.AddError("--peer-port must be from 0 to 65535");
        });
        var peerToken = new Option<string?>("--peer-token")
        {
            Description = "Shared secret of the cluster (sent and required as authorization: Bearer). Env: VALET_PEER_TOKEN. Prefer --peer-token-file.",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("VALET_PEER_TOKEN") is { Length: > 0 } v ? v : null,
        };
        var peerTokenFile = new Option<string?>("--peer-token-file")
        {
            Description = "File holding the cluster's shared secret (first line). Env: VALET_PEER_TOKEN_FILE.",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("VALET_PEER_TOKEN_FILE") is { Length: > 0 } v ? v : null,
        };
        peerTokenFile.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } file && !File.Exists(file)) r.AddError($"--peer-token-file '{file}' does not exist");
        });
        var peerCert = new Option<string?>("--peer-cert")
        {
            Description = "PEM certificate of the peer listener (with --peer-key: TLS). Env: VALET_PEER_CERT.",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("VALET_PEER_CERT") is { Length: > 0 } v ? v : null,
        };
        var peerKey = new Option<string?>("--peer-key")
        {
            Description = "PEM private key for --peer-cert. Env: VALET_PEER_KEY.",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("VALET_PEER_KEY") is { Length: > 0 } v ? v : null,
        };

        var root = new RootCommand("Valet: an API gateway that fronts backend apps described by JSON files, on one base URL (/{app}/...).")
        {
            conf, port, h2cPort, bind, httpsPort, tlsCert, tlsKey, nodeId, peers, peerPort, peerToken, peerTokenFile, peerCert, peerKey,
        };
        root.Validators.Add(r =>
        {
            if ((r.GetValue(tlsCert) is null) != (r.GetValue(tlsKey) is null)) r.AddError("--tls-cert and --tls-key go together");
            if ((r.GetValue(peerCert) is null) != (r.GetValue(peerKey) is null)) r.AddError("--peer-cert and --peer-key go together");
        });
        root.Subcommands.Add(HashKeyCommand.Create(Console.In, Console.Out, stderr));
        var admin = new AdminFlags();
        admin.AddTo(root);
        var lifecycle = new LifecycleFlags();
        lifecycle.AddTo(root);
        var observability = new ObservabilityFlags();
        observability.AddTo(root);
        var upstream = new UpstreamFlags();
        upstream.AddTo(root);
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
                NodeId = parse.GetValue(nodeId)!,
                Peers = (parse.GetValue(peers) ?? []).Select(p => new Uri(p)).ToArray(),
                PeerPort = parse.GetValue(peerPort),
                // An empty file is an empty token (refused at start), never "no token".
                PeerToken = parse.GetValue(peerTokenFile) is { } tokenFile ? (File.ReadLines(tokenFile).FirstOrDefault() ?? "").Trim() : parse.GetValue(peerToken),
                PeerCertificate = parse.GetValue(peerCert),
                PeerKey = parse.GetValue(peerKey),
            };
            options = admin.Apply(parse, options);
            options = lifecycle.Apply(parse, options);
            options = observability.Apply(parse, options);
            options = upstream.Apply(parse, options);
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
