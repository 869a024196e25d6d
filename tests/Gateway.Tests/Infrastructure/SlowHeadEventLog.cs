using Gateway.Core.Events;
using Gateway.Core.Log;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// The real log with a slower head read, as a remote store (Table storage) has: it widens the window between a
/// stream opening and it reading the head, so a race there shows every time instead of once in a while.
/// </summary>
public sealed class SlowHeadEventLog(IEventLog inner, TimeSpan headDelay) : IEventLog
{
    public async Task<LogHead> GetHeadAsync(string channel, CancellationToken cancellationToken)
    {
        await Task.Delay(headDelay, cancellationToken);
        return await inner.GetHeadAsync(channel, cancellationToken);
    }

    public Task<AppendResult> AppendAsync(string channel, IReadOnlyList<EventDraft> drafts, CancellationToken cancellationToken) =>
        inner.AppendAsync(channel, drafts, cancellationToken);

    public IAsyncEnumerable<ChannelEvent> ReadAfterAsync(string channel, long afterOffset, CancellationToken cancellationToken) =>
        inner.ReadAfterAsync(channel, afterOffset, cancellationToken);

    public Task<long> ApplyRetentionAsync(CancellationToken cancellationToken) => inner.ApplyRetentionAsync(cancellationToken);
}
