using System.CommandLine;
using Valet.Core.Configuration;

namespace Valet.Daemon.Cli;

/// <summary>
/// <c>valet check [--conf DIR]</c>: validates the conf folder with the daemon's own loader and
/// validator, prints every error as <c>file:line:col: path: message</c>, and exits 0 when every file
/// is valid, 1 otherwise (like <c>nginx -t</c>).
/// </summary>
public static class CheckCommand
{
    public const int ExitValid = 0;
    public const int ExitInvalid = 1;

    public static Command Create()
    {
        var conf = new Option<string>("--conf")
        {
            Description = "Folder of app files to check. Env: VALET_CONF.",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("VALET_CONF") is { Length: > 0 } v ? v : "./conf",
        };
        var command = new Command("check", "Validate every app file of the conf folder, print each error as file:line:col: path: message, exit 0 when all are valid and 1 otherwise.")
        {
            conf,
        };
        command.SetAction(parse => Run(parse.GetValue(conf)!, parse.InvocationConfiguration.Output));
        return command;
    }

    public static int Run(string directory, TextWriter output)
    {
        var load = AppDirectoryLoader.Load(directory);
        foreach (var error in load.FolderErrors) output.WriteLine(error.ToString());
        foreach (var file in load.Files)
        {
            foreach (var error in file.Errors) output.WriteLine((error with { File = Path.Join(directory, error.File) }).ToString());
        }

        if (!load.Succeeded)
        {
            var errors = load.AllErrors.Count();
            var failed = load.Files.Count(f => !f.Succeeded);
            output.WriteLine(load.FolderErrors.Count > 0
                ? $"valet check: {errors} error(s) in {load.Directory}"
                : $"valet check: {errors} error(s) in {failed} of {load.Files.Count} app file(s) in {load.Directory}");
            return ExitInvalid;
        }

        var names = string.Join(", ", load.Files.Select(f => f.Config!.Name));
        output.WriteLine($"valet check: {load.Files.Count} app file(s) in {load.Directory} are valid{(names.Length > 0 ? ": " + names : "")}");
        return ExitValid;
    }
}
