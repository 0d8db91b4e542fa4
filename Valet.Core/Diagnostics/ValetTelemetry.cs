using System.Diagnostics;

namespace Valet.Core.Diagnostics;

/// <summary>
/// The <c>Valet</c> <see cref="ActivitySource"/>: one server span per public request
/// (<c>valet.request</c>) and one client span per upstream attempt (<c>valet.upstream</c>). With no
/// listener (no <c>--otlp-endpoint</c>) nothing is created; <c>traceparent</c> still reaches backends.
/// </summary>
public static class ValetTelemetry
{
    public const string SourceName = "Valet";

    public static readonly ActivitySource Source = new(SourceName, typeof(ValetTelemetry).Assembly.GetName().Version?.ToString(3));

    /// <summary>
    /// Starts a span as a child of <paramref name="parent"/> (a root when it is default) without
    /// touching <see cref="Activity.Current"/>: the span is carried explicitly, so nothing leaks into
    /// the next request of a keep-alive connection, and a span of the hosting layer that nobody
    /// records never becomes its parent.
    /// </summary>
    public static Activity? StartDetached(string name, ActivityKind kind, ActivityContext parent)
    {
        var previous = Activity.Current;
        Activity.Current = null;
        var activity = Source.StartActivity(name, kind, parent);
        Activity.Current = previous;
        return activity;
    }
}
