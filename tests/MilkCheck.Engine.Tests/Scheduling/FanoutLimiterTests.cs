using MilkCheck.Scheduling;
using Xunit;

namespace MilkCheck.Engine.Tests.Scheduling;

public sealed class FanoutLimiterTests
{
    [Fact]
    public async Task SlotsBeyondTheFanout_WaitUntilOneIsReleased()
    {
        var limiter = new FanoutLimiter(2);
        IDisposable a = await limiter.AcquireAsync(CancellationToken.None);
        IDisposable b = await limiter.AcquireAsync(CancellationToken.None);
        Task<IDisposable> c = limiter.AcquireAsync(CancellationToken.None);
        Assert.False(c.IsCompleted);
        a.Dispose();
        IDisposable slot = await c;
        Assert.Equal(2, limiter.InFlight);
        slot.Dispose();
        b.Dispose();
        Assert.Equal(0, limiter.InFlight);
    }

    [Fact]
    public async Task TheSmallestRunningFanout_IsTheLimitForEveryone()
    {
        var limiter = new FanoutLimiter(64);
        IDisposable action = limiter.Register(1);
        IDisposable other = limiter.Register(null);
        Assert.Equal(1, limiter.CurrentLimit);
        IDisposable first = await limiter.AcquireAsync(CancellationToken.None);
        Task<IDisposable> second = limiter.AcquireAsync(CancellationToken.None);
        Assert.False(second.IsCompleted);
        action.Dispose(); // the fanout-1 action ends: the limit rises back and the waiter runs
        Assert.Equal(64, limiter.CurrentLimit);
        (await second).Dispose();
        first.Dispose();
        other.Dispose();
    }

    [Fact]
    public void FanoutZero_MeansTheDefault()
    {
        var limiter = new FanoutLimiter(8);
        using (limiter.Register(0))
            Assert.Equal(8, limiter.CurrentLimit);
    }

    [Fact]
    public async Task CancelledWaiter_LeavesTheQueueWithoutTakingASlot()
    {
        var limiter = new FanoutLimiter(1);
        IDisposable held = await limiter.AcquireAsync(CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        Task<IDisposable> waiting = limiter.AcquireAsync(cancel.Token);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        held.Dispose();
        Assert.Equal(0, limiter.InFlight);
        (await limiter.AcquireAsync(CancellationToken.None)).Dispose();
    }

    [Fact]
    public async Task ReleasingTwice_FreesOneSlotOnly()
    {
        var limiter = new FanoutLimiter(1);
        IDisposable slot = await limiter.AcquireAsync(CancellationToken.None);
        Task<IDisposable> next = limiter.AcquireAsync(CancellationToken.None);
        slot.Dispose();
        slot.Dispose();
        IDisposable second = await next;
        Assert.Equal(1, limiter.InFlight);
        second.Dispose();
    }
}
