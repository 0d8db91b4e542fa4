namespace Valet.Daemon.Tests.Infrastructure;

/// <summary>Waits for an observable condition, with a deadline (never a guessed delay).</summary>
public static class Eventually
{
    public static async Task WaitUntil(Func<bool> condition, string what, TimeSpan? deadline = null)
    {
        using var timeout = new CancellationTokenSource(deadline ?? TimeSpan.FromSeconds(10));
        while (!condition())
        {
            if (timeout.IsCancellationRequested) throw new TimeoutException("timed out waiting until " + what);
            await Task.Yield();
            await Task.Delay(1, CancellationToken.None);
        }
    }

    /// <summary>The task's completion, or a failure naming <paramref name="what"/> after the deadline.</summary>
    public static async Task Within(this Task task, string what, TimeSpan? deadline = null)
    {
        try
        {
            await task.WaitAsync(deadline ?? TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException("timed out waiting until " + what);
        }
    }
}
