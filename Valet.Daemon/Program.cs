using Valet.Daemon.Cli;

return await ValetCommand.Create(Console.Error).Parse(args).InvokeAsync();
