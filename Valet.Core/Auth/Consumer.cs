namespace Valet.Core.Auth;

/// <summary>An authenticated caller of an app: its id (sent to backends as <c>X-Valet-Consumer</c>) and its own limit, if any.</summary>
public sealed class Consumer(string id, long? limitValue)
{
    public string Id { get; } = id;

    public long? LimitValue { get; } = limitValue;
}
