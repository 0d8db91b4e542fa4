namespace Valet.Core.Configuration;

/// <summary>
/// One API consumer of an app (<c>keys: [{ id, key, limitValue }]</c>): who it is, the key it sends
/// (plain, or <c>sha256:&lt;hex&gt;</c> as printed by <c>valet hash-key</c>), and an optional own limit.
/// </summary>
public sealed record ConsumerConfig
{
    public const string HashPrefix = "sha256:";

    public required string Id { get; init; }

    public required string Key { get; init; }

    /// <summary>Requests per window for this consumer when the app limits by consumer; null = the app's.</summary>
    public long? LimitValue { get; init; }

    public bool IsHashed => Key.StartsWith(HashPrefix, StringComparison.Ordinal);
}
