using System.Collections.Concurrent;

namespace Valet.Core.Diagnostics.Traffic;

/// <summary>
/// One app's traffic: one <see cref="ConsumerTraffic"/> per consumer id (and one for requests
/// without a consumer), and the app's cached metric tags. The number of consumers tracked is
/// bounded: past <see cref="MaxConsumers"/> (token auth can name any subject), further ids count
/// together under <see cref="OtherConsumers"/>, in the stats and in metric labels alike.
/// </summary>
public sealed class AppTraffic
{
    /// <summary>The app label of requests that named no served app.</summary>
    public const string NoApp = "-";

    /// <summary>The consumer label of requests without an authenticated consumer.</summary>
    public const string NoConsumer = "-";

    /// <summary>The consumer id that stands for every consumer past <see cref="MaxConsumers"/>.</summary>
    public const string OtherConsumers = "(other)";

    public const int MaxConsumers = 1000;

    private readonly ConcurrentDictionary<string, ConsumerTraffic> _consumers = new(StringComparer.Ordinal);
    private readonly KeyValuePair<string, object?>[] _admitted;
    private readonly KeyValuePair<string, object?>[] _rejected;

    public AppTraffic(string name)
    {
        Name = name;
        AppTag = [new("app", name)];
        _admitted = [new("app", name), new("decision", "admitted")];
        _rejected = [new("app", name), new("decision", "rejected")];
        Anonymous = new ConsumerTraffic(this, NoConsumer);
    }

    public string Name { get; }

    /// <summary>The <c>app</c> tag alone, for instruments tagged by app (duration histograms, byte counters).</summary>
    public KeyValuePair<string, object?>[] AppTag { get; }

    /// <summary>Requests without an authenticated consumer (public apps, refused credentials).</summary>
    public ConsumerTraffic Anonymous { get; }

    /// <summary>Tags of a rate-limit decision.</summary>
    public ReadOnlySpan<KeyValuePair<string, object?>> DecisionTags(bool admitted) => admitted ? _admitted : _rejected;

    /// <summary>The consumer's entry; <paramref name="id"/> null for no consumer.</summary>
    public ConsumerTraffic Consumer(string? id)
    {
        if (id is null) return Anonymous;
        if (_consumers.TryGetValue(id, out var known)) return known;
        if (_consumers.Count >= MaxConsumers) id = OtherConsumers;
        return _consumers.GetOrAdd(id, static (key, app) => new ConsumerTraffic(app, key), this);
    }

    /// <summary>Every consumer seen since start (not the anonymous entry).</summary>
    public ICollection<ConsumerTraffic> Consumers => _consumers.Values;

    public ConsumerTraffic? FindConsumer(string id) => _consumers.GetValueOrDefault(id);
}
