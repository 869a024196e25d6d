using Gateway.Core.Events;
using Gateway.Core.Log;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// The real log behind a switch: while <see cref="IsDown"/>, appends and retention runs fail as an unreachable store's
/// do (with <see cref="DownWith"/>; reads still work, so streams stay up). <see cref="FailedAppends"/> and
/// <see cref="FailedRetentions"/> let a test wait until the gateway has tried, instead of sleeping.
/// </summary>
public sealed class SwitchableEventLog(IEventLog inner) : IEventLog
{
    private int _failedAppends;
    private int _failedRetentions;

    public bool IsDown { get; set; }

    /// <summary>Reads fail too while down (the streams then end).</summary>
    public bool ReadsFailToo { get; init; }

    /// <summary>What a call fails with while down.</summary>
    public Func<Exception> DownWith { get; init; } = () => new EventLogUnavailableException("The test switched the log off.");

    public int FailedAppends => Volatile.Read(ref _failedAppends);

    public int FailedRetentions => Volatile.Read(ref _failedRetentions);

    public Task<LogHead> GetHeadAsync(string channel, CancellationToken cancellationToken) => inner.GetHeadAsync(channel, cancellationToken);

    public Task<AppendResult> AppendAsync(string channel, IReadOnlyList<EventDraft> drafts, CancellationToken cancellationToken)
    {
        if (IsDown)
        {
            Interlocked.Increment(ref _failedAppends);
            throw DownWith();
        }

        return inner.AppendAsync(channel, drafts, cancellationToken);
    }

    public IAsyncEnumerable<ChannelEvent> ReadAfterAsync(string channel, long afterOffset, CancellationToken cancellationToken) =>
        IsDown && ReadsFailToo ? throw DownWith() : inner.ReadAfterAsync(channel, afterOffset, cancellationToken);

    public Task<long> ApplyRetentionAsync(CancellationToken cancellationToken)
    {
        if (IsDown)
        {
            Interlocked.Increment(ref _failedRetentions);
            throw DownWith();
        }

        return inner.ApplyRetentionAsync(cancellationToken);
    }
}
