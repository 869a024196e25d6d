using Gateway.Core.Events;
using Gateway.Core.Log;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// The real log behind a switch: while <see cref="IsDown"/>, appends fail as an unreachable store's do (reads still
/// work, so streams stay up). <see cref="FailedAppends"/> lets a test wait until ingest has tried, instead of sleeping.
/// </summary>
public sealed class SwitchableEventLog(IEventLog inner) : IEventLog
{
    private int _failedAppends;

    public bool IsDown { get; set; }

    public int FailedAppends => Volatile.Read(ref _failedAppends);

    public Task<LogHead> GetHeadAsync(string channel, CancellationToken cancellationToken) => inner.GetHeadAsync(channel, cancellationToken);

    public Task<AppendResult> AppendAsync(string channel, IReadOnlyList<EventDraft> drafts, CancellationToken cancellationToken)
    {
        if (IsDown)
        {
            Interlocked.Increment(ref _failedAppends);
            throw new EventLogUnavailableException("The test switched the log off.");
        }

        return inner.AppendAsync(channel, drafts, cancellationToken);
    }

    public IAsyncEnumerable<ChannelEvent> ReadAfterAsync(string channel, long afterOffset, CancellationToken cancellationToken) =>
        inner.ReadAfterAsync(channel, afterOffset, cancellationToken);

    public Task<long> ApplyRetentionAsync(CancellationToken cancellationToken) => inner.ApplyRetentionAsync(cancellationToken);
}
