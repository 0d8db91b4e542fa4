using Valet.Core.Configuration;

namespace Valet.Core.Aggregation;

/// <summary>The compiled, immutable view of an app's <c>aggregate</c>: its parts in config order and its limits.</summary>
public sealed class AggregateModel
{
    public AggregateModel(AggregateConfig config, IReadOnlyList<string> forwardHeaders)
    {
        Config = config;
        Parts = config.Parts.Select(p => new AggregatePartModel(p)).ToArray();
        Timeout = TimeSpan.FromSeconds(config.Timeout);
        IncludeMeta = config.IncludeMeta;
        // X-Request-Id is always set by Valet (the client's id when it is sane), as on a direct request.
        ForwardHeaders = forwardHeaders.Where(h => !string.Equals(h, "X-Request-Id", StringComparison.OrdinalIgnoreCase)).ToArray();
    }

    public AggregateConfig Config { get; }

    /// <summary>The parts, in the order their members appear in the answer.</summary>
    public AggregatePartModel[] Parts { get; }

    /// <summary>How long the whole fan-out may take.</summary>
    public TimeSpan Timeout { get; }

    public bool IncludeMeta { get; }

    /// <summary>Client request headers copied to every part (besides the ones Valet sets itself).</summary>
    public string[] ForwardHeaders { get; }

    /// <summary>Whether any part sends a body when the client's method is <paramref name="clientMethod"/>.</summary>
    public bool AnyPartSendsBody(string clientMethod)
    {
        foreach (var part in Parts)
        {
            if (AggregatePartModel.SendsBody(part.MethodFor(clientMethod))) return true;
        }

        return false;
    }
}
