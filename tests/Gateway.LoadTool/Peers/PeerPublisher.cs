using System.Diagnostics;
using System.Net.Http.Headers;

namespace Gateway.LoadTool.Peers;

/// <summary>
/// Publishes a range of sequences to every channel at the plan's total rate: one sequential publisher per channel (so
/// a channel's events leave in order), the channels' schedules interleaved evenly. Each payload is stamped just before
/// its POST; how late each POST left against its schedule is kept, to tell a publisher that could not keep up.
/// </summary>
internal sealed class PeerPublisher(PeerPlan plan) : IDisposable
{
    private readonly HttpClient _client = new(new SocketsHttpHandler { MaxConnectionsPerServer = plan.Channels, UseProxy = false }) { Timeout = TimeSpan.FromSeconds(20) };

    public async Task<PublishFigures> PublishAsync(int from, int to, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var lag = new LatencyHistogram();
        var answers = new LatencyHistogram();
        var failed = 0;
        string? firstError = null;
        await Task.WhenAll(Enumerable.Range(0, plan.Channels).Select(channel => Task.Run(async () =>
        {
            var uri = plan.PublishUri(plan.Channel(channel));
            for (var sequence = from; sequence < to; sequence++)
            {
                var due = TimeSpan.FromSeconds((((double)(sequence - from) * plan.Channels) + channel) / plan.Rate);
                var wait = due - Stopwatch.GetElapsedTime(start);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, cancellationToken);
                }

                var late = (Stopwatch.GetElapsedTime(start) - due).TotalMilliseconds;
                lock (lag)
                {
                    lag.Record(Math.Max(0, late));
                }

                try
                {
                    var scheduled = start + (long)(due.TotalSeconds * Stopwatch.Frequency);
                    using var content = new ByteArrayContent(PeerPayload.Create(sequence, plan.PayloadBytes, scheduled));
                    content.Headers.ContentType = new MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" };
                    var sent = Stopwatch.GetTimestamp();
                    using var response = await _client.PostAsync(uri, content, cancellationToken);
                    lock (answers)
                    {
                        answers.Record(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                    }

                    if (!response.IsSuccessStatusCode)
                    {
                        throw new HttpRequestException($"POST {uri} answered {(int)response.StatusCode}.");
                    }
                }
                catch (Exception error) when (error is HttpRequestException || (error is TaskCanceledException && !cancellationToken.IsCancellationRequested))
                {
                    // Refused, broken or past the client's 20 s timeout: a failed publish, counted; the run goes on.
                    Interlocked.Increment(ref failed);
                    Interlocked.CompareExchange(ref firstError, error.Message, null);
                }
            }
        }, cancellationToken)));

        return new PublishFigures((to - from) * plan.Channels, failed, firstError, lag, answers, start);
    }

    public void Dispose() => _client.Dispose();
}

/// <summary>
/// What one <see cref="PeerPublisher.PublishAsync"/> did: POSTs made, failed, how late they left, how long the server
/// took to answer them (a slow answer holds the channel's next POST back), and when it began (Stopwatch ticks).
/// </summary>
internal sealed record PublishFigures(int Sent, int Failed, string? FirstError, LatencyHistogram Lag, LatencyHistogram Answers, long Start);
