using System.CommandLine;
using Valet.Core.Auth;

namespace Valet.Daemon.Cli;

/// <summary>
/// <c>valet hash-password</c>: prints the PBKDF2 hash of a password read from standard input, for
/// an app file's <c>auth.users[].password</c>.
/// </summary>
public static class HashPasswordCommand
{
    public static Command Create(TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        var command = new Command("hash-password",
            $"Read a password from standard input (one line) and print its {PasswordHash.Prefix}<iterations>$<salt>$<hash> form " +
            "for an app file's auth.users[].password. The password is not echoed or logged.");
        command.SetAction(_ =>
        {
            var password = stdin.ReadLine()?.TrimEnd('\r');
            if (string.IsNullOrEmpty(password))
            {
                stderr.WriteLine("valet hash-password: give the password on standard input, e.g. `printf %s \"$PASSWORD\" | valet hash-password`");
                return 1;
            }

            stdout.WriteLine(PasswordHash.Create(password));
            return 0;
        });
        return command;
    }
}
