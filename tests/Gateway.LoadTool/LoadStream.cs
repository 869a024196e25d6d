using Gateway.Testing.Sse;

namespace Gateway.LoadTool;

/// <summary>One SSE stream held open by the tool: it reports its first bytes, then parses events for the latency figures.</summary>
internal sealed class LoadStream(HttpClient client, string path, FanoutLatency latency)
{
    private readonly TaskCompletionSource _firstBytes = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _reading = Task.CompletedTask;

    /// <summary>True while the server keeps this stream open.</summary>
    public bool IsOpen => _firstBytes.Task.IsCompletedSuccessfully && !_reading.IsCompleted;

    /// <summary>Starts reading and returns once the first bytes have arrived.</summary>
    public Task OpenAsync(CancellationToken cancellationToken)
    {
        _reading = ReadAsync(cancellationToken);
        return _firstBytes.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Completes when the stream has ended, however it ended (the tool cancels every stream at the end).</summary>
    public Task Ended => _reading;

    private async Task ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            // No raw copy (thousands of streams), no bound on the wait for the next event (they are idle on purpose).
            await using var stream = await SseStream.OpenAsync(client, path, recordRaw: false, cancellationToken: cancellationToken);
            _ = stream.FirstBytes.ContinueWith(_ => _firstBytes.TrySetResult(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            while (await stream.NextOrEndAsync(Timeout.InfiniteTimeSpan) is { } item)
            {
                latency.Record(item.Data);
            }
        }
        catch (Exception error)
        {
            // Before the first bytes this is a failed open; after them, the stream simply ended (or the tool stopped it).
            _firstBytes.TrySetException(error);
        }
    }
}
