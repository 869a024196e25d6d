using Gateway.Core.Log;

namespace Gateway.Testing;

/// <summary>Waits on a channel's log: publishing is asynchronous (bus → ingest → log), so a test waits for the append.</summary>
public static class LogWaits
{
    /// <summary>Waits until the log of <paramref name="channel"/> holds <paramref name="offset"/>; returns the log's epoch.</summary>
    public static async Task<string> UntilHeadAsync(this IEventLog log, string channel, long offset, TimeSpan? timeout = null)
    {
        var bound = timeout ?? Waits.Item;
        var deadline = DateTime.UtcNow + bound;
        while (true)
        {
            var head = await log.GetHeadAsync(channel, CancellationToken.None);
            if (head.Offset >= offset)
            {
                return head.Epoch!;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The log of '{channel}' is at {head.Offset}, not {offset}, after {bound.TotalSeconds:0.#} s.");
            }

            await Task.Delay(10);
        }
    }
}
