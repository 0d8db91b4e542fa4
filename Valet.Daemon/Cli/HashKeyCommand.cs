using System.CommandLine;
using Valet.Core.Auth;

namespace Valet.Daemon.Cli;

/// <summary><c>valet hash-key</c>: prints the <c>sha256:</c> form of a key read from standard input, for <c>keys[].key</c>.</summary>
public static class HashKeyCommand
{
    public static Command Create(TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        var command = new Command("hash-key",
            "Read an API key from standard input (one line) and print its sha256:<hex> form for an app file's keys[].key. " +
            "The key is not echoed or logged.");
        command.SetAction(_ =>
        {
            var line = stdin.ReadLine();
            var key = line?.TrimEnd('\r');
            if (string.IsNullOrEmpty(key) || key.Trim().Length != key.Length)
            {
                stderr.WriteLine("valet hash-key: give the key on standard input, e.g. `printf %s \"$KEY\" | valet hash-key` (no surrounding spaces)");
                return 1;
            }

            stdout.WriteLine(ApiKeyAuthenticator.HashKey(key));
            return 0;
        });
        return command;
    }
}
