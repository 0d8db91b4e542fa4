using Valet.Core.Forwarding.Http2;

namespace Valet.Core.Tests.Forwarding.Http2;

/// <summary>Send flow control: the smaller of the connection and stream windows, waiting without polling.</summary>
public sealed class Http2SendWindowTests
{
    [Fact]
    public async Task Reserve_TakesFromBothWindows_AtMostWhatIsOpen()
    {
        var window = new Http2SendWindow();

        (await window.ReserveAsync(60000, default)).Should().Be(60000);
        (await window.ReserveAsync(60000, default)).Should().Be(5535);

        window.Connection.Should().Be(0);
        window.Stream.Should().Be(0);
    }

    [Fact]
    public async Task Reserve_Exhausted_WaitsForBothWindowsToOpen()
    {
        var window = new Http2SendWindow();
        await window.ReserveAsync(65535, default);

        var pending = window.ReserveAsync(1000, default).AsTask();
        pending.IsCompleted.Should().BeFalse();

        window.GrowConnection(500).Should().BeTrue();
        pending.IsCompleted.Should().BeFalse("the stream's window is still closed");

        window.GrowStream(2000).Should().BeTrue();
        (await pending.WaitAsync(TimeSpan.FromSeconds(10))).Should().Be(500);
    }

    [Fact]
    public async Task GrowStream_NegativeDelta_MustBeMadeUpFirst()
    {
        var window = new Http2SendWindow();
        await window.ReserveAsync(65535, default);
        window.GrowConnection(100_000);

        // SETTINGS_INITIAL_WINDOW_SIZE 65535 -> 1000 while everything was in flight: -64535.
        window.GrowStream(1000 - 65535).Should().BeTrue();
        window.Stream.Should().Be(-64535);
        var pending = window.ReserveAsync(10, default).AsTask();
        window.GrowStream(64535);
        pending.IsCompleted.Should().BeFalse("the window is back at 0, not open");

        window.GrowStream(7);
        (await pending.WaitAsync(TimeSpan.FromSeconds(10))).Should().Be(7);
    }

    [Fact]
    public void Grow_PastTwoToThe31_Refused()
    {
        var window = new Http2SendWindow();

        window.GrowConnection(int.MaxValue - 65535).Should().BeTrue();
        window.GrowConnection(1).Should().BeFalse();
        window.GrowStream(int.MaxValue).Should().BeFalse();
    }

    [Fact]
    public async Task Fail_WakesAndFailsWaiters()
    {
        var window = new Http2SendWindow();
        await window.ReserveAsync(65535, default);
        var pending = window.ReserveAsync(1, default).AsTask();

        window.Fail(new InvalidOperationException("gone"));

        var act = async () => await pending.WaitAsync(TimeSpan.FromSeconds(10));
        (await act.Should().ThrowAsync<IOException>()).WithInnerException<InvalidOperationException>();
    }

    [Fact]
    public async Task Reserve_Cancelled_Throws()
    {
        var window = new Http2SendWindow();
        await window.ReserveAsync(65535, default);
        using var cancel = new CancellationTokenSource();
        var pending = window.ReserveAsync(1, cancel.Token).AsTask();

        await cancel.CancelAsync();

        await FluentActions.Awaiting(() => pending).Should().ThrowAsync<OperationCanceledException>();
    }
}
