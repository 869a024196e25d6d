using System.Diagnostics;
using Gateway.Testing.Sse;

namespace Gateway.LoadTool;

/// <summary>
/// A client that behaves as a browser's EventSource after its stream ends: it waits the last <c>retry:</c> it received,
/// then reconnects, and after a refused connection waits that long again. Every attempt is timed from a shared clock.
/// </summary>
internal sealed class ReconnectClient(HttpClient client, string path, Stopwatch clock)
{
    private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TimeSpan _retry = TimeSpan.FromSeconds(3);

    /// <summary>Completes when the first stream is open.</summary>
    public Task Opened => _opened.Task;

    /// <summary>When each reconnect attempt after the first stream began (refused ones included), on the shared clock.</summary>
    public List<(TimeSpan At, bool Opened)> Attempts { get; } = [];

    /// <summary>The <c>retry:</c> in effect when the first stream ended or broke (after a crash, the one it opened with).</summary>
    public TimeSpan? EndRetry { get; private set; }

    /// <summary>Opens, reads to the end, then reconnects until one reconnect has opened a stream.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var first = true;
        while (true)
        {
            if (!first)
            {
                await Task.Delay(_retry, cancellationToken);
            }

            var at = clock.Elapsed;
            SseStream stream;
            try
            {
                stream = await SseStream.OpenAsync(client, path, recordRaw: false, cancellationToken: cancellationToken);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested && !first)
            {
                Attempts.Add((at, false));
                continue;
            }

            await using (stream)
            {
                if (!first)
                {
                    Attempts.Add((at, true));
                    return;
                }

                first = false;
                _opened.TrySetResult();
                try
                {
                    while (await stream.NextOrEndAsync(Timeout.InfiniteTimeSpan) is not null)
                    {
                    }
                }
                catch (Exception) when (!cancellationToken.IsCancellationRequested)
                {
                    // Dropped rather than ended: reconnect after the interval known so far, as a browser does.
                }

                _retry = stream.Parser.ReconnectionInterval;
                EndRetry = _retry;
            }
        }
    }
}
