namespace Valet.Core.Aggregation;

/// <summary>Why the parts of a fan-out were cancelled; the first reason wins.</summary>
internal enum FanOutCancel
{
    None,

    /// <summary>The aggregate's timeout ran out.</summary>
    TimedOut,

    /// <summary>A required part failed, so the answer will be an error whatever the others do.</summary>
    RequiredPartFailed,

    /// <summary>The client went away.</summary>
    ClientAborted,
}
