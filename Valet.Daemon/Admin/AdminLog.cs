namespace Valet.Daemon.Admin;

/// <summary>Source-generated log messages of the admin API and of reloads.</summary>
internal static partial class AdminLog
{
    [LoggerMessage(2001, LogLevel.Information, "Reload ({Trigger}): {Summary}")]
    public static partial void Reloaded(ILogger logger, string trigger, string summary);

    [LoggerMessage(2002, LogLevel.Warning, "Reload ({Trigger}): {Summary}")]
    public static partial void ReloadFailed(ILogger logger, string trigger, string summary);

    [LoggerMessage(2003, LogLevel.Information, "App {App} {Status} (from {File})")]
    public static partial void AppChanged(ILogger logger, string app, string status, string file);

    [LoggerMessage(2004, LogLevel.Warning, "App {App} failed (from {File}); {Serving}: {Errors}")]
    public static partial void AppFailed(ILogger logger, string app, string file, string serving, string errors);

    [LoggerMessage(2005, LogLevel.Warning, "Admin: {Method} {Path} rejected: {Status} {Detail}")]
    public static partial void Rejected(ILogger logger, string method, string path, int status, string detail);
}
