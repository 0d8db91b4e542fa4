using System.Net;
using Valet.Daemon.Hosting;

namespace Valet.Daemon.Admin;

/// <summary>
/// The admin listener's start-up rules: where the token comes from (flag, environment, or a file
/// such as a systemd credential), and no listening beyond loopback without one.
/// </summary>
public static class AdminAccess
{
    /// <summary>
    /// Returns <paramref name="options"/> with <see cref="ValetOptions.AdminToken"/> read from
    /// <see cref="ValetOptions.AdminTokenFile"/> when one is given, and checks the rules.
    /// </summary>
    /// <param name="error">Why the daemon must not start; null when it may.</param>
    public static ValetOptions Resolve(ValetOptions options, out string? error)
    {
        error = null;
        if (!string.IsNullOrEmpty(options.AdminTokenFile))
        {
            if (!string.IsNullOrEmpty(options.AdminToken))
            {
                error = "give the admin token once: --admin-token (VALET_ADMIN_TOKEN) or --admin-token-file (VALET_ADMIN_TOKEN_FILE), not both";
                return options;
            }

            string token;
            try
            {
                token = File.ReadAllText(options.AdminTokenFile).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error = $"cannot read the admin token file {options.AdminTokenFile}: {e.Message}";
                return options;
            }

            if (token.Length == 0)
            {
                error = $"the admin token file {options.AdminTokenFile} is empty";
                return options;
            }

            options = options with { AdminToken = token };
        }

        error = Check(options);
        return options;
    }

    /// <summary>Why these settings must not be used (null when they may): an admin API open beyond loopback, or a port clash.</summary>
    public static string? Check(ValetOptions options)
    {
        if (string.IsNullOrEmpty(options.AdminToken) && !IsLoopback(options.AdminBind))
        {
            return $"the admin API would listen on {(options.AdminBind?.ToString() ?? "every interface")} without a token; " +
                   "set --admin-token-file (or VALET_ADMIN_TOKEN) or bind it to 127.0.0.1 / ::1 with --admin-bind";
        }

        if (options.AdminPort != 0 && (options.AdminPort == options.Port || options.AdminPort == options.H2cPort))
        {
            return $"--admin-port {options.AdminPort} is also a public port; give the admin API a port of its own";
        }

        return null;
    }

    private static bool IsLoopback(IPAddress? address) => address is not null && IPAddress.IsLoopback(address);
}
