namespace Valet.Core.Forwarding;

/// <summary>The outcome of one upstream attempt, with the exception behind a failure (for the log).</summary>
public readonly record struct ForwardResult(ForwardOutcome Outcome, Exception? Error = null)
{
    public static implicit operator ForwardResult(ForwardOutcome outcome) => new(outcome);
}
