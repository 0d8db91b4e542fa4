using System.Diagnostics;
using System.Net;

namespace Valet.Core.Diagnostics.AccessLog;

/// <summary>
/// One access log line before formatting. Only references to strings the request already had
/// (the raw target is kept whole and cut at <see cref="PathLength"/> when written: the query string
/// is never logged, since it may carry tokens). Never a header value.
/// </summary>
public readonly record struct AccessLogEntry(
    long UnixMs,
    string RequestId,
    ActivityTraceId TraceId,
    IPAddress? Remote,
    string? App,
    string? Consumer,
    string Method,
    string Target,
    int PathLength,
    string Protocol,
    int Status,
    double DurationMs,
    string? Upstream,
    long BytesIn,
    long BytesOut)
{
    public ReadOnlySpan<char> Path => Target.AsSpan(0, PathLength);

    /// <summary>The length of <paramref name="target"/>'s path: up to the first <c>?</c> or <c>#</c>.</summary>
    public static int PathLengthOf(string target)
    {
        var end = target.AsSpan().IndexOfAny('?', '#');
        return end < 0 ? target.Length : end;
    }
}
