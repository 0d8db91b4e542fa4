using System.CommandLine;
using Valet.Daemon.Cli;

// Signals are the daemon's own business (drain on SIGTERM, reload on SIGHUP), so the command line
// library must not cancel the run or force an exit when one arrives.
return await ValetCommand.Create(Console.Error).Parse(args)
    .InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
