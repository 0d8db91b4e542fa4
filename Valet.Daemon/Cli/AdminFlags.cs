using System.CommandLine;
using System.Net;
using Valet.Daemon.Hosting;

namespace Valet.Daemon.Cli;

/// <summary>The admin API's settings on the command line: flag, else <c>VALET_ADMIN_*</c> environment variable, else default.</summary>
public sealed class AdminFlags
{
    private readonly Option<int> _port = new("--admin-port")
    {
        Description = $"Port of the admin API (0 = any free port). Env: VALET_ADMIN_PORT. Default {ValetOptions.DefaultAdminPort}.",
        DefaultValueFactory = r => ValetCommand.ParseEnvInt(r, "VALET_ADMIN_PORT", ValetOptions.DefaultAdminPort),
    };

    private readonly Option<string> _bind = new("--admin-bind")
    {
        Description = "Address of the admin API; beyond loopback only with a token. Env: VALET_ADMIN_BIND. Default 127.0.0.1.",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("VALET_ADMIN_BIND") is { Length: > 0 } v ? v : "127.0.0.1",
    };

    private readonly Option<string?> _token = new("--admin-token")
    {
        Description = "Bearer token every admin request must carry (visible in ps: prefer the env or a file). Env: VALET_ADMIN_TOKEN.",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("VALET_ADMIN_TOKEN"),
    };

    private readonly Option<string?> _tokenFile = new("--admin-token-file")
    {
        Description = "File holding the admin token, e.g. a systemd credential ($CREDENTIALS_DIRECTORY/admin-token). Env: VALET_ADMIN_TOKEN_FILE.",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("VALET_ADMIN_TOKEN_FILE"),
    };

    public AdminFlags()
    {
        _port.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 0 or > 65535) r.AddError("--admin-port must be from 0 to 65535");
        });
        _bind.Validators.Add(r =>
        {
            var value = r.GetValueOrDefault<string>();
            if (value != "*" && !IPAddress.TryParse(value, out _))
            {
                r.AddError($"--admin-bind '{value}' is not an IP address (use e.g. 127.0.0.1, ::1, or * for every interface)");
            }
        });
    }

    public void AddTo(Command command)
    {
        command.Options.Add(_port);
        command.Options.Add(_bind);
        command.Options.Add(_token);
        command.Options.Add(_tokenFile);
    }

    /// <summary><paramref name="options"/> with the admin settings of this command line.</summary>
    public ValetOptions Apply(ParseResult parse, ValetOptions options)
    {
        var bind = parse.GetValue(_bind);
        return options with
        {
            AdminPort = parse.GetValue(_port),
            AdminBind = bind is null or "*" ? null : IPAddress.Parse(bind),
            AdminToken = parse.GetValue(_token) is { Length: > 0 } token ? token : null,
            AdminTokenFile = parse.GetValue(_tokenFile) is { Length: > 0 } file ? file : null,
        };
    }
}
