using Valet.Core.Forwarding;

namespace Valet.Core.Tests.Forwarding;

/// <summary>The pool of upstream timeout sources: what it may reuse, and what it must not.</summary>
public sealed class TimeoutSourcePoolTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Never = global::System.Threading.Timeout.InfiniteTimeSpan;

    [Fact]
    public void A_disarmed_source_is_reused_and_armed_again_by_the_next_rent()
    {
        var pool = new TimeoutSourcePool(TimeProvider.System);
        var first = pool.Rent(Timeout);
        first.CancelAfter(Never);
        pool.Return(first);
        pool.Retained.Should().Be(1);

        var second = pool.Rent(TimeSpan.FromMilliseconds(1));
        second.Should().BeSameAs(first);
        pool.Retained.Should().Be(0);
        second.Token.WaitHandle.WaitOne(TimeSpan.FromSeconds(30)).Should().BeTrue("the second rent armed the timer again");
    }

    [Fact]
    public void A_source_whose_timeout_fired_is_never_reused()
    {
        var pool = new TimeoutSourcePool(TimeProvider.System);
        var timedOut = pool.Rent(TimeSpan.FromMilliseconds(1));
        timedOut.Token.WaitHandle.WaitOne(TimeSpan.FromSeconds(30)).Should().BeTrue();

        pool.Return(timedOut);
        pool.Retained.Should().Be(0);
        var next = pool.Rent(Timeout);
        next.Should().NotBeSameAs(timedOut);
        next.IsCancellationRequested.Should().BeFalse();
    }

    [Fact]
    public void On_a_clock_whose_timers_the_runtime_cannot_reset_sources_are_not_reused_and_still_time_out()
    {
        var time = new ManualTimers();
        var pool = new TimeoutSourcePool(time);
        var first = pool.Rent(Timeout);
        first.CancelAfter(Never);
        pool.Return(first);
        pool.Retained.Should().Be(0, "TryReset refuses a source on another TimeProvider's timer, so it is disposed");

        var second = pool.Rent(Timeout);
        second.Should().NotBeSameAs(first);
        time.FireDue();
        second.IsCancellationRequested.Should().BeTrue();
    }

    [Fact]
    public void A_source_the_client_cancelled_is_never_reused()
    {
        var pool = new TimeoutSourcePool(TimeProvider.System);
        var aborted = pool.Rent(Timeout);
        aborted.Cancel();

        pool.Return(aborted);
        pool.Retained.Should().Be(0);
        pool.Rent(Timeout).IsCancellationRequested.Should().BeFalse();
    }

    [Fact]
    public void Registrations_a_request_left_on_its_source_do_not_run_for_the_next_request()
    {
        var pool = new TimeoutSourcePool(TimeProvider.System);
        var first = pool.Rent(Timeout);
        var stale = 0;
        first.Token.UnsafeRegister(_ => stale++, null);
        pool.Return(first);

        var second = pool.Rent(Timeout);
        second.Should().BeSameAs(first);
        second.Cancel();
        stale.Should().Be(0);
    }

    [Fact]
    public void At_most_MaxRetained_sources_wait_in_the_pool()
    {
        var pool = new TimeoutSourcePool(TimeProvider.System);
        var rented = Enumerable.Range(0, TimeoutSourcePool.MaxRetained + 10).Select(_ => pool.Rent(Timeout)).ToList();
        foreach (var source in rented) pool.Return(source);

        pool.Retained.Should().Be(TimeoutSourcePool.MaxRetained);
        var act = () => rented[^1].Token.WaitHandle;
        act.Should().Throw<ObjectDisposedException>("a source beyond the cap is disposed");
    }

    /// <summary>Timers that fire only when the test says (<see cref="FireDue"/>: every armed one).</summary>
    private sealed class ManualTimers : TimeProvider
    {
        private readonly List<Timer> _timers = [];

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = new Timer(callback, state, dueTime);
            _timers.Add(timer);
            return timer;
        }

        public void FireDue()
        {
            foreach (var timer in _timers.ToList()) timer.FireIfArmed();
        }

        private sealed class Timer(TimerCallback callback, object? state, TimeSpan due) : ITimer
        {
            private TimeSpan _due = due;

            public void FireIfArmed()
            {
                if (_due == Never) return;
                _due = Never;
                callback(state);
            }

            public bool Change(TimeSpan dueTime, TimeSpan period)
            {
                _due = dueTime;
                return true;
            }

            public void Dispose() => _due = Never;

            public ValueTask DisposeAsync()
            {
                Dispose();
                return ValueTask.CompletedTask;
            }
        }
    }
}
