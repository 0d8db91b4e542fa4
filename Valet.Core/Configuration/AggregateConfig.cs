namespace Valet.Core.Configuration;

/// <summary>
/// The <c>aggregate</c> of an app: instead of endpoints, a request to the app calls every part
/// concurrently and answers one JSON object with a member per part, in config order.
/// </summary>
public sealed record AggregateConfig
{
    /// <summary>The most parts one aggregate may have: one client request fans out to at most this many calls.</summary>
    public const int MaxParts = 16;

    /// <summary>The request body an aggregate holds (to send it to several parts) when the app sets no <c>maxBodyBytes</c>.</summary>
    public const long DefaultMaxBodyBytes = 8 * 1024 * 1024;

    /// <summary>The largest <c>maxBodyBytes</c> of an aggregate: its body is held in memory.</summary>
    public const long MaxBodyBytesLimit = 64 * 1024 * 1024;

    /// <summary>Request headers sent to the parts when the app sets no <c>forwardHeaders</c>.</summary>
    public static readonly IReadOnlyList<string> DefaultForwardHeaders = ["Accept", "Accept-Language", "Authorization", "X-Request-Id"];

    /// <summary>The parts, in the order their members appear in the answer.</summary>
    public required IReadOnlyList<AggregatePartConfig> Parts { get; init; }

    /// <summary>Seconds the whole fan-out may take; parts still running then are cancelled and count as timed out.</summary>
    public double Timeout { get; init; } = AppConfig.DefaultTimeoutSeconds;

    /// <summary>Whether the answer has a <c>_meta</c> member with each part's status, duration and error.</summary>
    public bool IncludeMeta { get; init; }
}
