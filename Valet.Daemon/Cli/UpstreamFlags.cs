using System.CommandLine;
using Valet.Core.Pipeline;
using Valet.Daemon.Hosting;

namespace Valet.Daemon.Cli;

/// <summary>The upstream client on the command line: flag, else <c>VALET_UPSTREAM_CLIENT</c>, else <c>valet</c>.</summary>
public sealed class UpstreamFlags
{
    private readonly Option<string> _client = new("--upstream-client")
    {
        Description = "Client for requests without a body to plain-HTTP/1.1 endpoints: valet (Valet's own, the default) or sockets (.NET's SocketsHttpHandler, "
                      + "which carries every other request either way). Env: VALET_UPSTREAM_CLIENT.",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("VALET_UPSTREAM_CLIENT") is { Length: > 0 } v ? v : "valet",
    };

    public UpstreamFlags()
    {
        _client.Validators.Add(r =>
        {
            var value = r.GetValueOrDefault<string>();
            if (!TryParse(value, out _)) r.AddError($"--upstream-client '{value}' is not one of valet, sockets (VALET_UPSTREAM_CLIENT too)");
        });
    }

    public void AddTo(Command command) => command.Options.Add(_client);

    public ValetOptions Apply(ParseResult parse, ValetOptions options)
    {
        TryParse(parse.GetValue(_client), out var client);
        return options with { UpstreamClient = client };
    }

    private static bool TryParse(string? value, out UpstreamClient client)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case "valet":
                client = UpstreamClient.Valet;
                return true;
            case "sockets":
                client = UpstreamClient.Sockets;
                return true;
            default:
                client = UpstreamClient.Valet;
                return false;
        }
    }
}
