using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;

namespace Valet.Core.Diagnostics.Metrics;

/// <summary>
/// Collects the measurements of the given meters with a <see cref="MeterListener"/> and renders
/// them in the Prometheus text format on demand. Counters and up-down counters are summed,
/// histograms bucketed (fixed buckets suited to request durations in seconds), observable
/// instruments read at scrape time. Recording a measurement takes no lock and, for a series seen
/// before, allocates nothing.
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    /// <summary>Bucket upper bounds for histograms, in the instrument's unit (seconds for durations).</summary>
    public static readonly double[] Buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, InstrumentState> _instruments = new();
    private readonly Lock _scrapeGate = new();

    /// <summary>Listens to these meter instances only (several gateways may share a process, as in tests).</summary>
    public PrometheusExporter(params Meter[] meters)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (Array.IndexOf(meters, instrument.Meter) < 0) return;
            _instruments.TryAdd(instrument, new InstrumentState(instrument));
            listener.EnableMeasurementEvents(instrument, _instruments[instrument]);
        };
        _listener.SetMeasurementEventCallback<long>(static (instrument, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>(static (instrument, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>(static (instrument, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.Start();
    }

    /// <summary>Renders every series of every instrument.</summary>
    public string Scrape()
    {
        var text = new StringBuilder(4096);
        lock (_scrapeGate)
        {
            foreach (var state in _instruments.Values) state.ResetObservations();
            _listener.RecordObservableInstruments();
            foreach (var state in _instruments.Values.OrderBy(s => s.Name, StringComparer.Ordinal)) state.Write(text);
        }

        return text.ToString();
    }

    public void Dispose() => _listener.Dispose();

    private enum Kind
    {
        Counter,
        Gauge,
        Histogram,
    }

    private sealed class InstrumentState
    {
        private readonly ConcurrentDictionary<TagKey, Series> _series = new();
        private readonly Kind _kind;
        private readonly bool _observable;
        private readonly string _help;
        private string[] _labelNames = [];

        public InstrumentState(Instrument instrument)
        {
            var type = instrument.GetType();
            var generic = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
            _observable = instrument.IsObservable;
            _kind = generic == typeof(Histogram<>) ? Kind.Histogram
                : generic == typeof(Counter<>) || generic == typeof(ObservableCounter<>) ? Kind.Counter
                : Kind.Gauge;
            Name = PrometheusText.MetricName(instrument.Name, instrument.Unit, _kind == Kind.Counter);
            _help = PrometheusText.EscapeHelp(instrument.Description ?? instrument.Name);
        }

        public string Name { get; }

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var key = new TagKey(tags);
            if (!_series.TryGetValue(key, out var series))
            {
                if (_labelNames.Length == 0 && tags.Length > 0)
                {
                    var names = new string[tags.Length];
                    for (var i = 0; i < tags.Length; i++) names[i] = PrometheusText.LabelName(tags[i].Key);
                    _labelNames = names;
                }

                series = _series.GetOrAdd(key, static (_, kind) => new Series(kind == Kind.Histogram), _kind);
            }

            if (_kind == Kind.Histogram) series.Observe(value);
            else if (_observable) series.Set(value);
            else series.Add(value);
        }

        public void ResetObservations()
        {
            if (_observable) _series.Clear();
        }

        public void Write(StringBuilder text)
        {
            if (_series.IsEmpty) return;
            text.Append("# HELP ").Append(Name).Append(' ').Append(_help).Append('\n');
            text.Append("# TYPE ").Append(Name).Append(' ').Append(_kind switch { Kind.Counter => "counter", Kind.Histogram => "histogram", _ => "gauge" }).Append('\n');
            foreach (var (key, series) in _series.OrderBy(s => s.Key.ToString(), StringComparer.Ordinal))
            {
                var labels = key.Render(_labelNames);
                if (_kind != Kind.Histogram)
                {
                    text.Append(Name);
                    if (labels.Length > 0) text.Append('{').Append(labels).Append('}');
                    text.Append(' ').Append(PrometheusText.Number(series.Value)).Append('\n');
                    continue;
                }

                var (counts, count, sum) = series.Snapshot();
                long cumulative = 0;
                for (var i = 0; i <= Buckets.Length; i++)
                {
                    cumulative += counts[i];
                    var le = i < Buckets.Length ? PrometheusText.Number(Buckets[i]) : "+Inf";
                    text.Append(Name).Append("_bucket{");
                    if (labels.Length > 0) text.Append(labels).Append(',');
                    text.Append("le=\"").Append(le).Append("\"} ").Append(PrometheusText.Number(cumulative)).Append('\n');
                }

                var suffixLabels = labels.Length > 0 ? "{" + labels + "}" : "";
                text.Append(Name).Append("_sum").Append(suffixLabels).Append(' ').Append(PrometheusText.Number(sum)).Append('\n');
                text.Append(Name).Append("_count").Append(suffixLabels).Append(' ').Append(PrometheusText.Number(count)).Append('\n');
            }
        }
    }

    /// <summary>Up to four tag values, in the order the instrument passes them; equal by value.</summary>
    private readonly struct TagKey : IEquatable<TagKey>
    {
        private readonly object? _a, _b, _c, _d;
        private readonly int _count;

        public TagKey(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            _count = Math.Min(tags.Length, 4);
            if (_count > 0) _a = tags[0].Value;
            if (_count > 1) _b = tags[1].Value;
            if (_count > 2) _c = tags[2].Value;
            if (_count > 3) _d = tags[3].Value;
        }

        public bool Equals(TagKey other) =>
            _count == other._count && Equals(_a, other._a) && Equals(_b, other._b) && Equals(_c, other._c) && Equals(_d, other._d);

        public override bool Equals(object? obj) => obj is TagKey other && Equals(other);

        public override int GetHashCode() => HashCode.Combine(_count, _a, _b, _c, _d);

        public string Render(string[] names)
        {
            if (_count == 0) return "";
            var text = new StringBuilder();
            object?[] values = [_a, _b, _c, _d];
            for (var i = 0; i < _count && i < names.Length; i++)
            {
                if (i > 0) text.Append(',');
                text.Append(names[i]).Append("=\"").Append(PrometheusText.EscapeLabelValue(Convert.ToString(values[i], System.Globalization.CultureInfo.InvariantCulture) ?? "")).Append('"');
            }

            return text.ToString();
        }

        public override string ToString() => string.Join("\u0001", new[] { _a, _b, _c, _d }.Take(_count));
    }

    private sealed class Series(bool histogram)
    {
        private readonly long[]? _buckets = histogram ? new long[Buckets.Length + 1] : null;
        private double _value;
        private long _count;

        public double Value => Volatile.Read(ref _value);

        public void Add(double value)
        {
            double current, updated;
            do
            {
                current = Volatile.Read(ref _value);
                updated = current + value;
            }
            while (Interlocked.CompareExchange(ref _value, updated, current) != current);
        }

        public void Set(double value) => Volatile.Write(ref _value, value);

        public void Observe(double value)
        {
            var index = Array.BinarySearch(Buckets, value);
            if (index < 0) index = ~index;
            Interlocked.Increment(ref _buckets![index]);
            Interlocked.Increment(ref _count);
            Add(value);
        }

        public (long[] Counts, long Count, double Sum) Snapshot()
        {
            var counts = new long[_buckets!.Length];
            for (var i = 0; i < counts.Length; i++) counts[i] = Volatile.Read(ref _buckets[i]);
            long total = 0;
            foreach (var c in counts) total += c;
            return (counts, total, Value);
        }
    }
}
