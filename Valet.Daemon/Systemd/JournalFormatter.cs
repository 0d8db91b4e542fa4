using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Valet.Daemon.Systemd;

/// <summary>
/// Console format for journald (used when <c>$JOURNAL_STREAM</c> is set): one line per event with
/// a <c>&lt;N&gt;</c> syslog priority prefix, no colours and no timestamp (the journal adds its own).
/// Line breaks inside a message or exception are folded so an event stays one journal entry.
/// </summary>
public sealed class JournalFormatter() : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "journald";

    public override void Write<TState>(in LogEntry<TState> logEntry, Microsoft.Extensions.Logging.IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (string.IsNullOrEmpty(message) && logEntry.Exception is null) return;
        textWriter.Write('<');
        textWriter.Write(Priority(logEntry.LogLevel));
        textWriter.Write('>');
        textWriter.Write(logEntry.Category);
        textWriter.Write(": ");
        textWriter.Write(Fold(message));
        if (logEntry.Exception is { } exception)
        {
            textWriter.Write(" | ");
            textWriter.Write(Fold(exception.ToString()));
        }

        textWriter.Write('\n');
    }

    /// <summary>syslog priority of a log level (RFC 5424): crit 2, err 3, warning 4, info 6, debug 7.</summary>
    public static int Priority(LogLevel level) => level switch
    {
        LogLevel.Critical => 2,
        LogLevel.Error => 3,
        LogLevel.Warning => 4,
        LogLevel.Information => 6,
        _ => 7,
    };

    private static string Fold(string text) => text.Contains('\n') ? text.Replace("\r", "").Replace("\n", " | ") : text;
}
