using Microsoft.Extensions.Logging;

namespace Valet.Core.Aggregation;

/// <summary>Source-generated log messages of aggregates.</summary>
internal static partial class AggregateLog
{
    [LoggerMessage(1101, LogLevel.Warning, "App {App}: required part {Part} (app {PartApp}) failed: {Error} (request {RequestId})")]
    public static partial void RequiredPartFailed(ILogger logger, string app, string part, string partApp, string? error, string requestId);
}
