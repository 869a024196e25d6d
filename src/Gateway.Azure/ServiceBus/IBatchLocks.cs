namespace Gateway.Azure.ServiceBus;

/// <summary>
/// Keeps the locks of one batch in hand alive while it is ingested, until disposed: the messages' own locks
/// (<see cref="BatchLockRenewal"/>) or, from a session, the session's lock (<see cref="SessionLockKeeper.HoldBatch"/>).
/// </summary>
internal interface IBatchLocks : IAsyncDisposable
{
    /// <summary>Cancelled when a lock of the batch has lapsed or could not be renewed: the batch is left to redelivery.</summary>
    CancellationToken LockLost { get; }
}
