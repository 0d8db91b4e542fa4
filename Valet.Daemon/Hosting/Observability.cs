using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Valet.Core.Diagnostics;
using Valet.Core.Diagnostics.AccessLog;
using Valet.Core.Diagnostics.Metrics;

namespace Valet.Daemon.Hosting;

/// <summary>The access log writer of the daemon, or none when <c>--access-log off</c>; disposed (drained) with the host.</summary>
public sealed class AccessLogHolder(AccessLogWriter? writer) : IAsyncDisposable
{
    public AccessLogWriter? Writer { get; } = writer;

    public ValueTask DisposeAsync() => Writer?.DisposeAsync() ?? ValueTask.CompletedTask;
}

/// <summary>
/// OTLP export (<c>--otlp-endpoint</c>): the <c>Valet</c> activity source's spans and the
/// <c>Valet</c> (and, in a cluster, <c>Valet.Peering</c>) meters, over OTLP/HTTP with protobuf
/// bodies, to <c>{endpoint}/v1/traces</c> and <c>{endpoint}/v1/metrics</c>. Both providers are
/// disposed with the host, which flushes what is pending.
/// </summary>
public sealed class OtlpExport : IDisposable
{
    private OtlpExport(TracerProvider traces, MeterProvider metrics)
    {
        Traces = traces;
        Metrics = metrics;
    }

    public TracerProvider Traces { get; }

    public MeterProvider Metrics { get; }

    public static AccessLogHolder CreateAccessLog(ValetOptions options, GatewayMetrics metrics) =>
        new(options.AccessLog == AccessLogFormat.Off
            ? null
            : new AccessLogWriter(options.AccessLog, options.AccessLogOutput ?? Console.OpenStandardOutput(), metrics.AccessLogDropped));

    public static OtlpExport Start(Uri endpoint, ValetOptions options, IEnumerable<string> meterNames)
    {
        var resource = ResourceBuilder.CreateDefault().AddService("valet", serviceInstanceId: options.NodeId);
        var traces = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            .AddSource(ValetTelemetry.SourceName)
            .AddOtlpExporter(otlp =>
            {
                otlp.Endpoint = Signal(endpoint, "v1/traces");
                otlp.Protocol = OtlpExportProtocol.HttpProtobuf;
            })
            .Build();
        var meters = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddMeter([.. meterNames])
            .AddOtlpExporter((otlp, reader) =>
            {
                otlp.Endpoint = Signal(endpoint, "v1/metrics");
                otlp.Protocol = OtlpExportProtocol.HttpProtobuf;
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)options.OtlpMetricsInterval.TotalMilliseconds;
                reader.TemporalityPreference = MetricReaderTemporalityPreference.Cumulative;
            })
            .Build();
        return new OtlpExport(traces, meters);
    }

    /// <summary>The signal's URL under the base endpoint (the exporter takes a configured endpoint as is).</summary>
    public static Uri Signal(Uri endpoint, string path)
    {
        var text = endpoint.ToString();
        return new Uri(text.EndsWith('/') ? text + path : text + "/" + path);
    }

    /// <summary>Pushes what is pending now (tests; the host's dispose does the same at stop).</summary>
    public void Flush(int timeoutMilliseconds = 10_000)
    {
        Traces.ForceFlush(timeoutMilliseconds);
        Metrics.ForceFlush(timeoutMilliseconds);
    }

    public void Dispose()
    {
        Traces.Dispose();
        Metrics.Dispose();
    }
}
