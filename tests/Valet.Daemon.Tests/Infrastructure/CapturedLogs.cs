using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Valet.Daemon.Tests.Infrastructure;

/// <summary>A logger provider that keeps every formatted message at or above Information, for tests that read the daemon's log.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    public ConcurrentQueue<string> Messages { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) owner.Messages.Enqueue(formatter(state, exception));
        }
    }
}
