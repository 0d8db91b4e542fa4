using System.CommandLine;
using Valet.Core.Pipeline;
using Valet.Daemon.Hosting;

namespace Valet.Daemon.Cli;

/// <summary>
/// The upstream client and the I/O engine on the command line: each its flag, else its variable
/// (<c>VALET_UPSTREAM_CLIENT</c>, <c>VALET_IO</c>), else the default (<c>valet</c>, <c>loops</c>).
/// </summary>
public sealed class UpstreamFlags
{
    private readonly Option<string> _io = new("--io")
    {
        Description = "Engine under the sockets of the listeners and of Valet's own upstream client: loops (Valet's epoll event loops, the default on Linux) "
                      + "or sockets (.NET's socket engine and Kestrel's socket transport). Env: VALET_IO.",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("VALET_IO") is { Length: > 0 } v ? v : "loops",
    };

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
        _io.Validators.Add(r =>
        {
            var value = r.GetValueOrDefault<string>();
            if (!TryParseIo(value, out _)) r.AddError($"--io '{value}' is not one of loops, sockets (VALET_IO too)");
        });
    }

    public void AddTo(Command command)
    {
        command.Options.Add(_client);
        command.Options.Add(_io);
    }

    public ValetOptions Apply(ParseResult parse, ValetOptions options)
    {
        TryParse(parse.GetValue(_client), out var client);
        TryParseIo(parse.GetValue(_io), out var io);
        return options with { UpstreamClient = client, Io = io };
    }

    private static bool TryParse(string? value, out UpstreamClient client) =>
        TryPick(value, [("valet", UpstreamClient.Valet), ("sockets", UpstreamClient.Sockets)], out client);

    private static bool TryParseIo(string? value, out IoEngine io) =>
        TryPick(value, [("loops", IoEngine.Loops), ("sockets", IoEngine.Sockets)], out io);

    /// <summary>The choice named <paramref name="value"/> (any case, spaces trimmed); the first one when none is.</summary>
    private static bool TryPick<T>(string? value, (string Name, T Value)[] choices, out T picked)
    {
        foreach (var (name, choice) in choices)
        {
            if (string.Equals(value?.Trim(), name, StringComparison.OrdinalIgnoreCase))
            {
                picked = choice;
                return true;
            }
        }

        picked = choices[0].Value;
        return false;
    }
}
