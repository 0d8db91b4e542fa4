using System.CommandLine;
using System.Globalization;
using Valet.Daemon.Hosting;

namespace Valet.Daemon.Cli;

/// <summary>How the daemon stops: flag, else <c>VALET_*</c> environment variable, else default.</summary>
public sealed class LifecycleFlags
{
    private readonly Option<double> _drainDelay = new("--drain-delay")
    {
        Description = "Seconds to keep serving after SIGTERM with /ready answering 503, so a front load balancer moves away. Env: VALET_DRAIN_DELAY. Default 5.",
        DefaultValueFactory = r => ParseEnvSeconds(r, "VALET_DRAIN_DELAY", ValetOptions.DefaultDrainDelay.TotalSeconds),
    };

    private readonly Option<double> _shutdownTimeout = new("--shutdown-timeout")
    {
        Description = "Seconds in-flight requests may take to finish once the drain delay is over. Env: VALET_SHUTDOWN_TIMEOUT. Default 30.",
        DefaultValueFactory = r => ParseEnvSeconds(r, "VALET_SHUTDOWN_TIMEOUT", ValetOptions.DefaultShutdownTimeout.TotalSeconds),
    };

    public LifecycleFlags()
    {
        _drainDelay.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() is < 0 or > 3600) r.AddError("--drain-delay must be from 0 to 3600 seconds");
        });
        _shutdownTimeout.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() is < 0 or > 3600) r.AddError("--shutdown-timeout must be from 0 to 3600 seconds");
        });
    }

    public void AddTo(Command command)
    {
        command.Options.Add(_drainDelay);
        command.Options.Add(_shutdownTimeout);
    }

    public ValetOptions Apply(ParseResult parse, ValetOptions options) => options with
    {
        DrainDelay = TimeSpan.FromSeconds(parse.GetValue(_drainDelay)),
        ShutdownTimeout = TimeSpan.FromSeconds(parse.GetValue(_shutdownTimeout)),
    };

    private static double ParseEnvSeconds(System.CommandLine.Parsing.ArgumentResult result, string name, double fallback)
    {
        var value = Environment.GetEnvironmentVariable(name);
        if (string.IsNullOrEmpty(value)) return fallback;
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed)) return parsed;
        result.AddError($"{name}='{value}' is not a number of seconds");
        return fallback;
    }
}
