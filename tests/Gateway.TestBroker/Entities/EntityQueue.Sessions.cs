using Amqp.Framing;
using Amqp.Types;

namespace Gateway.TestBroker.Entities;

/// <summary>
/// Sessions of an entity that requires them: a session receiver locks one session (the one it names, or the free
/// session with the oldest waiting message) and gets only that session's messages, in sequence order; a message it
/// abandons or releases is the next one it gets. The message locks are the session's lock: renewing the session renews
/// them, and when the session lock lapses (or its link closes, or a delivery is lost) the session is freed and what was
/// locked in it comes back, oldest first, to whoever accepts the session next. A lapse or a lost delivery counts a
/// failed delivery for each of those messages; a receiver closing its link does not (the AMQP library settles its
/// unsettled deliveries as released, and a session receiver closes with messages it fetched but never handed out).
/// </summary>
internal sealed partial class EntityQueue
{
    public static readonly Symbol SessionLockLostCondition = new("com.microsoft:session-lock-lost");
    static readonly Symbol SessionCannotBeLockedCondition = new("com.microsoft:session-cannot-be-locked");
    static readonly Symbol TimeoutCondition = new("com.microsoft:timeout");

    readonly Dictionary<string, MessageSession> sessions = new(StringComparer.Ordinal);
    readonly List<SessionAccept> waitingAccepts = [];

    /// <summary>Only session receivers may attach.</summary>
    public bool RequiresSession => requiresSession;

    /// <summary>
    /// Locks a session for a session receiver: the requested one (refused while another holds it), or else the free
    /// session with the oldest available message, waiting up to the accept wait for one (then refused with
    /// <c>com.microsoft:timeout</c>, which the client reports as <c>ServiceTimeout</c>). The receiver joins the queue
    /// with the session; the accept's callbacks run outside the queue's lock.
    /// </summary>
    public void AcceptSession(SessionAccept accept)
    {
        Action? then;
        lock (gate)
        {
            if (accept.RequestedSessionId is { } requested)
            {
                var session = SessionLocked(requested);
                then = session.Holder is null
                    ? LockSessionLocked(session, accept)
                    : () => accept.Refused(new Error(SessionCannotBeLockedCondition) { Description = $"The session '{requested}' is locked by another receiver." });
            }
            else if (NextFreeSessionLocked() is { } free)
            {
                then = LockSessionLocked(free, accept);
            }
            else
            {
                waitingAccepts.Add(accept);
                accept.Timeout = settings.TimeProvider.CreateTimer(_ => GiveUpWaiting(accept), null, settings.SessionAcceptWait ?? TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
                then = null;
            }
        }

        then?.Invoke();
    }

    /// <summary>The receiver's link closed before or while its accept was answered: stop waiting, give the session back.</summary>
    public void CancelAccept(IMessageConsumer consumer)
    {
        lock (gate)
        {
            var waiting = waitingAccepts.FirstOrDefault(a => a.Consumer == consumer);
            if (waiting is not null)
            {
                waitingAccepts.Remove(waiting);
                waiting.Timeout?.Dispose();
            }
        }

        RemoveConsumer(consumer);
    }

    /// <summary>
    /// Extends a session's lock (and the locks of its messages, each reported to <c>OnLockRenewed</c>); null when no
    /// receiver holds the session.
    /// </summary>
    public DateTime? RenewSessionLock(string sessionId)
    {
        List<LockRenewal> renewals;
        DateTime until;
        lock (gate)
        {
            if (!sessions.TryGetValue(sessionId, out var session) || session.Holder is null)
            {
                return null;
            }

            until = session.LockedUntilUtc = settings.TimeProvider.GetUtcNow().UtcDateTime + settings.LockDuration;
            renewals = [];
            foreach (var held in locks.Values.Where(l => l.Message.SessionId == sessionId))
            {
                held.LockedUntilUtc = until;
                renewals.Add(new LockRenewal(Path, held.Message.SequenceNumber, held.Message.Deliveries, held.Message.FailedDeliveries, until));
            }
        }

        renewals.ForEach(r => settings.OnLockRenewed?.Invoke(r));
        settings.OnSessionLock?.Invoke(new SessionLockChange(Path, sessionId, SessionLockChangeKind.Renewed, until));
        return until;
    }

    /// <summary>The session's state; false when no receiver holds the session.</summary>
    public bool TryGetSessionState(string sessionId, out byte[]? state)
    {
        lock (gate)
        {
            state = sessions.TryGetValue(sessionId, out var session) ? session.State : null;
            return session?.Holder is not null;
        }
    }

    /// <summary>Sets (or with null clears) the session's state; false when no receiver holds the session.</summary>
    public bool TrySetSessionState(string sessionId, byte[]? state)
    {
        lock (gate)
        {
            if (!sessions.TryGetValue(sessionId, out var session) || session.Holder is null)
            {
                return false;
            }

            session.State = state;
            return true;
        }
    }

    public IReadOnlyList<string> LockedSessions()
    {
        lock (gate)
        {
            return sessions.Values.Where(s => s.Holder is not null).Select(s => s.Id).Order(StringComparer.Ordinal).ToList();
        }
    }

    MessageSession SessionLocked(string sessionId)
    {
        if (!sessions.TryGetValue(sessionId, out var session))
        {
            sessions[sessionId] = session = new MessageSession(sessionId);
        }

        return session;
    }

    MessageSession? NextFreeSessionLocked()
    {
        foreach (var message in available.Values)
        {
            var session = SessionLocked(message.SessionId!);
            if (session.Holder is null)
            {
                return session;
            }
        }

        return null;
    }

    /// <returns>What to run once the queue's lock is released: the accept's answer.</returns>
    Action LockSessionLocked(MessageSession session, SessionAccept accept)
    {
        accept.Timeout?.Dispose();
        session.Holder = accept.Consumer;
        session.LockedUntilUtc = settings.TimeProvider.GetUtcNow().UtcDateTime + settings.LockDuration;
        accept.Consumer.SessionId = session.Id;
        consumers.Add(accept.Consumer);
        var until = session.LockedUntilUtc;
        return () =>
        {
            settings.OnSessionLock?.Invoke(new SessionLockChange(Path, session.Id, SessionLockChangeKind.Locked, until));
            accept.Locked(session.Id, until);
        };
    }

    void GiveUpWaiting(SessionAccept accept)
    {
        lock (gate)
        {
            if (!waitingAccepts.Remove(accept))
            {
                return;
            }
        }

        accept.Timeout?.Dispose();
        accept.Refused(new Error(TimeoutCondition) { Description = "No session is available: every session with messages is locked, or there are none." });
    }

    /// <summary>Hands free sessions with messages to waiting accepts; their answers run on the thread pool (outside the lock).</summary>
    void ServeWaitingAcceptsLocked()
    {
        while (waitingAccepts.Count > 0 && NextFreeSessionLocked() is { } free)
        {
            var accept = waitingAccepts[0];
            waitingAccepts.RemoveAt(0);
            var answer = LockSessionLocked(free, accept);
            _ = Task.Run(answer);
        }
    }

    void PumpSessionsLocked()
    {
        ServeWaitingAcceptsLocked();
        foreach (var consumer in consumers.ToList())
        {
            if (consumer.SessionId is not { } id || !sessions.TryGetValue(id, out var session) || session.Holder != consumer)
            {
                continue;
            }

            while (consumer.Credit > 0 && available.Values.FirstOrDefault(m => m.SessionId == id) is { } message)
            {
                available.Remove(message.SequenceNumber);
                if (!consumer.SettlesOnSend && IsLost(message))
                {
                    // A delivery lost in a session loses the session (its transport is ordered): its messages come back
                    // in order, from this one, to whoever accepts the session next.
                    message.Deliveries++;
                    ReturnFailedLocked(message);
                    ReleaseSessionLocked(session, new Error(SessionLockLostCondition) { Description = "The session's link was lost with a delivery in flight (the test broker's LoseDelivery)." });
                    break;
                }

                Deliver(consumer, message, session.LockedUntilUtc);
            }
        }
    }

    void ExpireSessionsLocked(DateTime now)
    {
        foreach (var session in sessions.Values.Where(s => s.Holder is not null && s.LockedUntilUtc <= now).ToList())
        {
            ReleaseSessionLocked(session, new Error(SessionLockLostCondition) { Description = "The session lock expired." });
        }
    }

    /// <summary>A closed session receiver gives its session back; what it held locked waits again, not counted as failed.</summary>
    void UnlockSessionLocked(string sessionId, IMessageConsumer consumer)
    {
        if (sessions.TryGetValue(sessionId, out var session) && session.Holder == consumer)
        {
            ReleaseSessionLocked(session, detachWith: null);
        }
    }

    /// <summary>
    /// Frees the session. With <paramref name="detachWith"/> (the session was lost: lock lapsed, delivery lost) what was
    /// locked in it counts a failed delivery and waits again (or is dead-lettered past the max delivery count), and its
    /// receiver is detached with that error; without it (the receiver closed) it just waits again.
    /// </summary>
    void ReleaseSessionLocked(MessageSession session, Error? detachWith)
    {
        var holder = session.Holder;
        session.Holder = null;
        if (settings.OnSessionLock is { } onSessionLock)
        {
            var change = new SessionLockChange(Path, session.Id, detachWith is null ? SessionLockChangeKind.Released : SessionLockChangeKind.Lost, null);
            _ = Task.Run(() => onSessionLock(change));
        }

        foreach (var (token, held) in locks.Where(l => l.Value.Message.SessionId == session.Id).ToList())
        {
            locks.Remove(token);
            if (detachWith is null)
            {
                available[held.Message.SequenceNumber] = held.Message;
            }
            else
            {
                ReturnFailedLocked(held.Message);
            }
        }

        if (holder is not null)
        {
            consumers.Remove(holder);
            if (detachWith is not null)
            {
                holder.Detach(detachWith);
            }
        }

        ServeWaitingAcceptsLocked();
    }

    /// <summary>
    /// Counts a failed delivery and dead-letters the message at once when that was its last: the dead-letter queue's
    /// lock is taken inside this one (it never takes this one, so the order is fixed).
    /// </summary>
    void ReturnFailedLocked(QueuedMessage message)
    {
        available.Remove(message.SequenceNumber);
        if (ReturnFailed(message) is { } exhausted)
        {
            MoveToDeadLetter(exhausted);
        }
    }
}
