namespace Valet.Core.Aggregation;

/// <summary>How one part of an aggregate ended.</summary>
internal enum PartOutcome
{
    /// <summary>The part's app answered with a 2xx status.</summary>
    Succeeded,

    /// <summary>The part's app (an endpoint or a mock) answered, but not with 2xx.</summary>
    ErrorStatus,

    /// <summary>No answer: the app is not served, refused the method, its limit is spent, no endpoint could be used or it failed.</summary>
    Failed,

    /// <summary>The part's timeout, the aggregate's timeout or the app's endpoint timeout ran out.</summary>
    TimedOut,

    /// <summary>Stopped because a required part failed, or because the client went away.</summary>
    Cancelled,
}
