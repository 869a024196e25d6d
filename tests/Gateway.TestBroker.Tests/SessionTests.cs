using System.Collections.Concurrent;
using Azure.Messaging.ServiceBus;
using Azure.Messaging.ServiceBus.Administration;
using Gateway.Testing;

namespace Gateway.TestBroker.Tests;

/// <summary>Session-enabled subscriptions through the real client: accept, order per session, locks, state, lost deliveries.</summary>
public sealed class SessionTests
{
    const string Sessions = "ordered";
    static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact(Timeout = 60_000)]
    public async Task Accept_next_takes_the_session_with_the_oldest_message_and_receives_only_its_messages_in_order()
    {
        await using var fixture = await StartAsync();
        await using var sender = fixture.Client.CreateSender(BrokerFixture.Topic);
        foreach (var (session, body) in new[] { ("b", "b1"), ("a", "a1"), ("b", "b2"), ("a", "a2"), ("b", "b3") })
        {
            await sender.SendMessageAsync(new ServiceBusMessage(body) { SessionId = session });
        }

        await using var first = await fixture.Client.AcceptNextSessionAsync(BrokerFixture.Topic, Sessions);
        await using var second = await fixture.Client.AcceptNextSessionAsync(BrokerFixture.Topic, Sessions);

        Assert.Equal(("b", "a"), (first.SessionId, second.SessionId));
        Assert.True(first.SessionLockedUntil > DateTimeOffset.UtcNow);
        Assert.Equal(["b1", "b2", "b3"], await ReceiveAllAsync(first, 3));
        Assert.Equal(["a1", "a2"], await ReceiveAllAsync(second, 2));
        Assert.Equal(["a", "b"], fixture.Broker.LockedSessions(BrokerFixture.Topic, Sessions));

        var locked = await Assert.ThrowsAsync<ServiceBusException>(() => fixture.Client.AcceptSessionAsync(BrokerFixture.Topic, Sessions, "a"));
        Assert.Equal(ServiceBusFailureReason.SessionCannotBeLocked, locked.Reason);
        Assert.Equal(0, fixture.Broker.ActiveMessageCount(BrokerFixture.Topic, Sessions));
    }

    [Fact(Timeout = 60_000)]
    public async Task Accept_next_without_a_free_session_times_out_and_a_waiting_accept_gets_a_new_session()
    {
        await using var fixture = await StartAsync(new TestServiceBusBrokerOptions { SessionAcceptWait = TimeSpan.FromMilliseconds(200) });
        await using var client = new ServiceBusClient(fixture.Broker.ConnectionString, new ServiceBusClientOptions
        {
            RetryOptions = new ServiceBusRetryOptions { MaxRetries = 0, TryTimeout = TimeSpan.FromSeconds(10) },
        });

        var timeout = await Assert.ThrowsAsync<ServiceBusException>(() => client.AcceptNextSessionAsync(BrokerFixture.Topic, Sessions));
        Assert.Equal(ServiceBusFailureReason.ServiceTimeout, timeout.Reason);

        // A message for a session that no one holds ends the next wait.
        await using var slow = await BrokerFixture.StartAsync(new TestServiceBusBrokerOptions { SessionAcceptWait = TimeSpan.FromSeconds(20) });
        slow.Broker.CreateSubscription(BrokerFixture.Topic, Sessions, requiresSession: true);
        var accepting = slow.Client.AcceptNextSessionAsync(BrokerFixture.Topic, Sessions);
        await using var sender = slow.Client.CreateSender(BrokerFixture.Topic);
        await sender.SendMessageAsync(new ServiceBusMessage("late") { SessionId = "s" });
        await using var receiver = await accepting.WaitAsync(Wait);
        Assert.Equal("s", receiver.SessionId);
        Assert.Equal(["late"], await ReceiveAllAsync(receiver, 1));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_session_subscription_refuses_plain_receivers_and_dead_letters_messages_without_a_session_id()
    {
        await using var fixture = await StartAsync();
        await using var sender = fixture.Client.CreateSender(BrokerFixture.Topic);
        await sender.SendMessageAsync(new ServiceBusMessage("no session"));

        await using var plain = fixture.Client.CreateReceiver(BrokerFixture.Topic, Sessions);
        await Assert.ThrowsAnyAsync<Exception>(() => plain.ReceiveMessageAsync(Wait));
        var refusedSession = await Assert.ThrowsAnyAsync<Exception>(() => fixture.Client.AcceptNextSessionAsync(BrokerFixture.Topic, BrokerFixture.Subscription));
        Assert.Contains("does not require sessions", refusedSession.Message, StringComparison.Ordinal);

        var dead = Assert.Single(fixture.Broker.DeadLetters(BrokerFixture.Topic, Sessions));
        Assert.Equal("SessionIdIsMissing", dead.DeadLetterReason);
        await using var deadLetters = fixture.Client.CreateReceiver(BrokerFixture.Topic, Sessions, new ServiceBusReceiverOptions { SubQueue = SubQueue.DeadLetter });
        Assert.Equal("no session", (await deadLetters.ReceiveMessageAsync(Wait)).Body.ToString());
    }

    [Fact(Timeout = 60_000)]
    public async Task An_abandoned_session_message_comes_back_before_the_later_ones()
    {
        await using var fixture = await StartAsync();
        await using var sender = fixture.Client.CreateSender(BrokerFixture.Topic);
        await sender.SendMessagesAsync([new ServiceBusMessage("1") { SessionId = "s" }, new ServiceBusMessage("2") { SessionId = "s" }]);

        await using var receiver = await fixture.Client.AcceptNextSessionAsync(BrokerFixture.Topic, Sessions);
        var first = await receiver.ReceiveMessageAsync(Wait);
        await receiver.AbandonMessageAsync(first);
        var again = await receiver.ReceiveMessageAsync(Wait);

        Assert.Equal(("1", 2), (again.Body.ToString(), again.DeliveryCount));
        await receiver.CompleteMessageAsync(again);
        Assert.Equal(["2"], await ReceiveAllAsync(receiver, 1));
    }

    [Fact(Timeout = 60_000)]
    public async Task Session_lock_renewal_and_state_and_expiry()
    {
        var lockDuration = TimeSpan.FromSeconds(2);
        var time = BrokerClock.Create();
        var changes = new ConcurrentQueue<SessionLockChange>();
        var renewals = new ConcurrentQueue<LockRenewal>();
        await using var fixture = await StartAsync(new TestServiceBusBrokerOptions
        {
            LockDuration = lockDuration,
            TimeProvider = time,
            OnSessionLock = changes.Enqueue,
            OnLockRenewed = renewals.Enqueue,
        });
        await using var sender = fixture.Client.CreateSender(BrokerFixture.Topic);
        await sender.SendMessageAsync(new ServiceBusMessage("held") { SessionId = "s" });

        var receiver = await fixture.Client.AcceptNextSessionAsync(BrokerFixture.Topic, Sessions);
        var message = await receiver.ReceiveMessageAsync(Wait);
        Assert.Equal(receiver.SessionLockedUntil, message.LockedUntil);
        await receiver.SetSessionStateAsync(BinaryData.FromString("cursor=1"));
        Assert.Equal("cursor=1", (await receiver.GetSessionStateAsync()).ToString());

        // Renewed from the current broker instant, the session (and its message) outlives the lock duration.
        time.Advance(lockDuration * 3 / 4);
        await receiver.RenewSessionLockAsync();
        Assert.Equal(time.GetUtcNow() + lockDuration, receiver.SessionLockedUntil);
        time.Advance(lockDuration * 3 / 4);
        Assert.Equal(["s"], fixture.Broker.LockedSessions(BrokerFixture.Topic, Sessions));

        // Not renewed, it lapses: the receiver has lost the session, and the message comes back to the next one.
        time.Advance(lockDuration);
        await Waits.UntilAsync(() => fixture.Broker.LockedSessions(BrokerFixture.Topic, Sessions).Count == 0, Wait, "the session lock to lapse");
        await Waits.UntilAsync(() => changes.Any(c => c.Kind == SessionLockChangeKind.Lost), Wait, "the lapse to be reported");
        // The broker detaches the session's link: the client says so when asked, or, once it has seen the detach, has
        // closed the receiver (as the gateway's lock keeper expects either way).
        var lost = await Record.ExceptionAsync(() => receiver.CompleteMessageAsync(message));
        Assert.True(
            lost is ServiceBusException { Reason: ServiceBusFailureReason.SessionLockLost } or ObjectDisposedException,
            $"expected the session lock to be lost; got {lost?.GetType().Name ?? "no exception"}: {lost?.Message}");
        await receiver.DisposeAsync();

        await using var next = await fixture.Client.AcceptNextSessionAsync(BrokerFixture.Topic, Sessions);
        var redelivered = await next.ReceiveMessageAsync(Wait);
        Assert.Equal(("held", 2), (redelivered.Body.ToString(), redelivered.DeliveryCount));
        Assert.Equal("cursor=1", (await next.GetSessionStateAsync()).ToString());
        await next.CompleteMessageAsync(redelivered);

        // The hooks saw it all: the renewal (with the message's delivery counts), the lapse, the next accept, its release.
        // (What may follow is not the test's doing: under twice CI's load one more lock of the freed session came after the
        // release, from a link of the client's that the test did not open.)
        await next.DisposeAsync();
        await Waits.UntilAsync(() => changes.Any(c => c.Kind == SessionLockChangeKind.Released), Wait, "the closed receiver's session to be released");
        Assert.Equal(
            [SessionLockChangeKind.Locked, SessionLockChangeKind.Renewed, SessionLockChangeKind.Lost, SessionLockChangeKind.Locked, SessionLockChangeKind.Released],
            changes.Select(c => c.Kind).Take(5));
        Assert.All(changes, c => Assert.Equal(("s", $"{BrokerFixture.Topic}/Subscriptions/{Sessions}"), (c.SessionId, c.Entity)));
        var renewal = Assert.Single(renewals);
        Assert.Equal((1, 0, changes.ElementAt(1).LockedUntilUtc), (renewal.Deliveries, renewal.FailedDeliveries, (DateTime?)renewal.LockedUntilUtc));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_lost_delivery_in_a_session_loses_the_session_and_the_next_accept_resumes_in_order()
    {
        var lost = 0;
        await using var fixture = await StartAsync(new TestServiceBusBrokerOptions
        {
            // The first delivery of the third message is lost.
            LoseDelivery = d => d.SessionId == "s" && d.SequenceNumber == 3 && d.EarlierDeliveries == 0 && Interlocked.Increment(ref lost) == 1,
        });
        await using var sender = fixture.Client.CreateSender(BrokerFixture.Topic);
        await sender.SendMessagesAsync(Enumerable.Range(1, 5).Select(i => new ServiceBusMessage($"{i}") { SessionId = "s" }));

        var received = new List<string>();
        var lockLost = 0;
        while (received.Count < 5)
        {
            await using var receiver = await fixture.Client.AcceptNextSessionAsync(BrokerFixture.Topic, Sessions);
            try
            {
                foreach (var message in await receiver.ReceiveMessagesAsync(10, Wait))
                {
                    await receiver.CompleteMessageAsync(message);
                    received.Add(message.Body.ToString());
                }
            }
            catch (Exception ex) when (ex is ServiceBusException { Reason: ServiceBusFailureReason.SessionLockLost } or ObjectDisposedException)
            {
                // The client closes a session receiver whose link was lost; what it had received but not completed
                // comes back with the session.
                lockLost++;
            }
        }

        Assert.Equal(["1", "2", "3", "4", "5"], received);
        Assert.Equal(1, lost);
        Assert.Equal(1, lockLost);
    }

    [Fact(Timeout = 60_000)]
    public async Task Without_sessions_a_lost_delivery_comes_back_behind_newer_messages()
    {
        var lockDuration = TimeSpan.FromSeconds(2);
        var time = BrokerClock.Create();
        await using var fixture = await BrokerFixture.StartAsync(new TestServiceBusBrokerOptions
        {
            LockDuration = lockDuration,
            TimeProvider = time,
            LoseDelivery = d => d.SequenceNumber == 1 && d.EarlierDeliveries == 0,
        });
        await using var sender = fixture.Client.CreateSender(BrokerFixture.Topic);
        await using var receiver = fixture.Client.CreateReceiver(BrokerFixture.Topic, BrokerFixture.Subscription);
        await sender.SendMessagesAsync([new ServiceBusMessage("1"), new ServiceBusMessage("2")]);

        var received = new List<string>();
        var second = await receiver.ReceiveMessageAsync(Wait);
        received.Add(second.Body.ToString());
        await receiver.CompleteMessageAsync(second);
        time.Advance(lockDuration);
        var first = await receiver.ReceiveMessageAsync(Wait);
        received.Add(first.Body.ToString());
        await receiver.CompleteMessageAsync(first);

        Assert.Equal(["2", "1"], received);
        Assert.Equal(2, first.DeliveryCount);
    }

    [Fact(Timeout = 60_000)]
    public async Task The_administration_client_creates_and_reads_a_session_subscription()
    {
        await using var fixture = await BrokerFixture.StartAsync();
        var admin = new ServiceBusAdministrationClient(fixture.Broker.ConnectionString);

        await admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(BrokerFixture.Topic, Sessions) { RequiresSession = true });

        Assert.True((await admin.GetSubscriptionAsync(BrokerFixture.Topic, Sessions)).Value.RequiresSession);
        Assert.False((await admin.GetSubscriptionAsync(BrokerFixture.Topic, BrokerFixture.Subscription)).Value.RequiresSession);
        await using var sender = fixture.Client.CreateSender(BrokerFixture.Topic);
        await sender.SendMessageAsync(new ServiceBusMessage("x") { SessionId = "s" });
        await using var receiver = await fixture.Client.AcceptNextSessionAsync(BrokerFixture.Topic, Sessions);
        Assert.Equal("s", receiver.SessionId);
    }

    static async Task<BrokerFixture> StartAsync(TestServiceBusBrokerOptions? options = null)
    {
        var fixture = await BrokerFixture.StartAsync(options);
        fixture.Broker.CreateSubscription(BrokerFixture.Topic, Sessions, requiresSession: true);
        return fixture;
    }

    static async Task<List<string>> ReceiveAllAsync(ServiceBusReceiver receiver, int count)
    {
        var bodies = new List<string>();
        using var timeout = new CancellationTokenSource(Wait);
        while (bodies.Count < count)
        {
            foreach (var message in await receiver.ReceiveMessagesAsync(count - bodies.Count, Wait, timeout.Token))
            {
                await receiver.CompleteMessageAsync(message, timeout.Token);
                bodies.Add(message.Body.ToString());
            }
        }

        return bodies;
    }
}
