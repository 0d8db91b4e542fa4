using System.CommandLine;
using Valet.Daemon.Cli;

// Socket completions run on the socket engine's threads (one per core with this setting) instead of
// hopping to the thread pool: one thread hand-off less per read. Valet's own event loops (the default
// I/O engine) do not use .NET's socket engine, but what still does gains from it: every listener's
// accepts, the SocketsHttpHandler client (OIDC discovery, `--upstream-client sockets`) and everything
// under `--io sockets`. Safe because nothing on Valet's request path blocks a thread.
// Read when the first socket is created, so it is set before anything else; an operator's own value wins.
const string InlineCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
if (Environment.GetEnvironmentVariable(InlineCompletions) is null) Environment.SetEnvironmentVariable(InlineCompletions, "1");

// Signals are the daemon's own business (drain on SIGTERM, reload on SIGHUP), so the command line
// library must not cancel the run or force an exit when one arrives.
return await ValetCommand.Create(Console.Error).Parse(args)
    .InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
