using Azure.Messaging.ServiceBus;
using Gateway.Azure.ServiceBus;
using Gateway.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.ServiceBus.Tests;

/// <summary>
/// The loop that keeps ingest's locks (a batch's message locks, a held session's lock), on a fake clock: it renews at
/// half the remaining lock time, retries a transient failure, stops at once when the broker says the lock is gone, and
/// once its budget is spent lets the lock lapse and only then says it is lost.
/// </summary>
public sealed class LockRenewalLoopTests
{
    private static readonly TimeSpan LockDuration = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task It_renews_at_half_the_remaining_lock_time_from_each_new_expiry()
    {
        var broker = new FakeLock();
        await using var loop = broker.Loop(budgetSpent: _ => false);

        broker.Time.Advance(LockDuration / 2 - TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, broker.Renewals);
        broker.Time.Advance(TimeSpan.FromMilliseconds(1));
        await broker.UntilRenewedAsync(1);

        // Renewed at 5 s to 15 s: the next is due at 10 s.
        await broker.UntilWaitingAsync(2);
        broker.Time.Advance(LockDuration / 2);
        await broker.UntilRenewedAsync(2);
        Assert.False(loop.LockLost.IsCancellationRequested);
    }

    [Fact]
    public async Task A_transient_failure_is_retried_while_the_lock_still_holds()
    {
        var broker = new FakeLock { Next = new ServiceBusException("connection dropped", ServiceBusFailureReason.ServiceCommunicationProblem) };
        await using var loop = broker.Loop(budgetSpent: _ => false);

        broker.Time.Advance(LockDuration / 2);
        await broker.UntilRenewedAsync(1);

        // The failed renewal left 5 s: the retry comes at half of that.
        await broker.UntilWaitingAsync(2);
        broker.Time.Advance(LockDuration / 4);
        await broker.UntilRenewedAsync(2);
        Assert.Equal(broker.Time.GetUtcNow() + LockDuration, broker.LockedUntil);
        Assert.False(loop.LockLost.IsCancellationRequested);
    }

    [Fact]
    public async Task A_lock_the_broker_says_is_gone_is_lost_at_once_and_not_renewed_again()
    {
        var broker = new FakeLock { Next = new ServiceBusException("gone", ServiceBusFailureReason.MessageLockLost) };
        await using var loop = broker.Loop(budgetSpent: _ => false);

        broker.Time.Advance(LockDuration / 2);
        await Waits.UntilAsync(() => loop.LockLost.IsCancellationRequested, Waits.Item, "the lock to be reported lost");

        broker.Time.Advance(LockDuration * 3);
        Assert.Equal(1, broker.Renewals);
    }

    [Fact]
    public async Task Once_the_budget_is_spent_the_lock_is_left_to_lapse_and_is_lost_when_it_has()
    {
        var broker = new FakeLock();
        var budgetEnds = broker.Time.GetUtcNow() + TimeSpan.FromSeconds(3);
        await using var loop = broker.Loop(budgetSpent: now => now >= budgetEnds);

        // Within the budget at 5 s: renewed to 15 s. At the next check the budget is spent.
        broker.Time.Advance(LockDuration / 2);
        await broker.UntilRenewedAsync(1);
        await broker.UntilWaitingAsync(2);
        broker.Time.Advance(LockDuration - TimeSpan.FromMilliseconds(1));
        Assert.False(loop.LockLost.IsCancellationRequested);

        broker.Time.Advance(TimeSpan.FromMilliseconds(1));
        await Waits.UntilAsync(() => loop.LockLost.IsCancellationRequested, Waits.Item, "the lapsed lock to be reported lost");
        Assert.Equal(1, broker.Renewals);
    }

    [Fact]
    public async Task Disposed_it_renews_nothing_more()
    {
        var broker = new FakeLock();
        var loop = broker.Loop(budgetSpent: _ => false);
        var lost = loop.LockLost;

        await loop.DisposeAsync();
        broker.Time.Advance(LockDuration * 3);

        Assert.Equal(0, broker.Renewals);
        Assert.False(lost.IsCancellationRequested);
    }

    [Fact]
    public async Task A_renewal_that_fails_after_the_stop_does_not_fail_the_disposal()
    {
        var broker = new FakeLock { InFlight = new TaskCompletionSource() };
        var loop = broker.Loop(budgetSpent: _ => false);
        broker.Time.Advance(LockDuration / 2);
        await broker.UntilRenewedAsync(1);

        // The batch ends while a renewal is under way, and the receiver it used is closed under it.
        var disposing = loop.DisposeAsync().AsTask();
        broker.InFlight.SetException(new ServiceBusException("the link was closed", ServiceBusFailureReason.ServiceCommunicationProblem));

        await disposing.WaitAsync(Waits.Item);
    }

    /// <summary>A lock on a fake clock: each renewal moves its expiry a lock duration past now, or throws <see cref="Next"/> once.</summary>
    private sealed class FakeLock
    {
        private int _renewals;

        public FakeLock() => LockedUntil = Time.GetUtcNow() + LockDuration;

        public CountingClock Time { get; } = new();

        public DateTimeOffset LockedUntil { get; private set; }

        public Exception? Next { get; set; }

        /// <summary>When set, a renewal waits for it (and fails with its failure).</summary>
        public TaskCompletionSource? InFlight { get; init; }

        public int Renewals => Volatile.Read(ref _renewals);

        public LockRenewalLoop Loop(Func<DateTimeOffset, bool> budgetSpent) => new(
            "a test lock",
            () => LockedUntil,
            _ => Renew(),
            ex => ex is ServiceBusException { Reason: ServiceBusFailureReason.MessageLockLost },
            budgetSpent,
            Time,
            NullLogger.Instance);

        public Task UntilRenewedAsync(int count) => Waits.UntilAsync(() => Renewals >= count, Waits.Item, $"renewal {count}");

        /// <summary>Until the loop sleeps in its wait number <paramref name="count"/>: time moved before that would pass it by.</summary>
        public Task UntilWaitingAsync(int count) => Waits.UntilAsync(() => Time.TimersCreated >= count, Waits.Item, $"wait {count}");

        private Task Renew()
        {
            Interlocked.Increment(ref _renewals);
            if (InFlight is { } inFlight)
            {
                return inFlight.Task;
            }

            if (Next is { } failure)
            {
                Next = null;
                return Task.FromException(failure);
            }

            LockedUntil = Time.GetUtcNow() + LockDuration;
            return Task.CompletedTask;
        }
    }

    /// <summary>A fake clock that counts the timers made on it (each of the loop's waits is one).</summary>
    private sealed class CountingClock() : FakeTimeProvider(DateTimeOffset.UtcNow)
    {
        private int _timers;

        public int TimersCreated => Volatile.Read(ref _timers);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            Interlocked.Increment(ref _timers);
            return timer;
        }
    }
}
