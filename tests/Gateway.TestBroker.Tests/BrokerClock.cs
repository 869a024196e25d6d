using Microsoft.Extensions.Time.Testing;

namespace Gateway.TestBroker.Tests;

/// <summary>
/// A broker clock the test moves (<see cref="TestServiceBusBrokerOptions.TimeProvider"/>): locks lapse when the test
/// advances it past their expiry, never because a busy machine was slow. On whole seconds, because the broker's lock
/// times reach the client as AMQP timestamps (milliseconds), so "locked until now + duration" compares exactly.
/// </summary>
internal static class BrokerClock
{
    public static FakeTimeProvider Create() => new(WholeSecond(DateTimeOffset.UtcNow));

    /// <summary>Moves the clock up to the real time (the time a client schedules its own renewals by).</summary>
    public static void CatchUp(FakeTimeProvider time)
    {
        var now = WholeSecond(DateTimeOffset.UtcNow);
        if (now > time.GetUtcNow())
        {
            time.SetUtcNow(now);
        }
    }

    private static DateTimeOffset WholeSecond(DateTimeOffset t) => new(t.UtcTicks - (t.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
}
