namespace Valet.Core.Configuration;

/// <summary>
/// One part of an aggregate: <c>{ "key", "app", "path", "method"?, "required"?, "timeout"? }</c>.
/// The part calls <see cref="App"/> at <see cref="Path"/> as a direct request to that app would.
/// </summary>
public sealed record AggregatePartConfig
{
    /// <summary>The member name of the part's answer.</summary>
    public required string Key { get; init; }

    /// <summary>The app called; it must be served and must not be an aggregate.</summary>
    public required string App { get; init; }

    /// <summary>
    /// App-relative path (<c>/users</c> calls <c>/{app}/users</c>). A trailing <c>*</c> is replaced by
    /// the rest of the client's path after the aggregate's segment.
    /// </summary>
    public required string Path { get; init; }

    /// <summary>Upper-case method; null means the client's method.</summary>
    public string? Method { get; init; }

    /// <summary>A required part that fails fails the whole answer; an optional one becomes <c>null</c>.</summary>
    public bool Required { get; init; } = true;

    /// <summary>Seconds this part may take, including reading its answer; null = only the aggregate's timeout.</summary>
    public double? Timeout { get; init; }
}
