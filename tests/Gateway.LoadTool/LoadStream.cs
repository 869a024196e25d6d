using System.Net.Http.Headers;
using System.Net.ServerSentEvents;

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
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            response.EnsureSuccessStatusCode();
            await using var body = new FirstReadSignal(await response.Content.ReadAsStreamAsync(cancellationToken), _firstBytes);
            await foreach (var item in SseParser.Create(body).EnumerateAsync(cancellationToken))
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
