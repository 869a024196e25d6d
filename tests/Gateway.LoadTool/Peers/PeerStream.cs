using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.ServerSentEvents;

namespace Gateway.LoadTool.Peers;

/// <summary>
/// One subscriber connection to any SSE server: opened with a GET (<c>Accept: text/event-stream</c>), read with
/// <see cref="SseParser"/> straight from the bytes (no string per event), each payload tallied in its
/// <see cref="StreamTally"/> and its latency handed to <see cref="ReceiverGroup"/>. The connection is the tool's own
/// (<see cref="SseConnection"/>, polled by a <see cref="SocketPoller"/>) or, with <c>--Client http</c>, HttpClient's.
/// </summary>
internal sealed class PeerStream(ReceiverGroup group, Uri url, int total)
{
    private Task _reading = Task.CompletedTask;

    public StreamTally Tally { get; } = new(total);

    /// <summary>Set when the server ended the stream (or it broke) before the tool stopped it.</summary>
    public string? EndedEarly { get; private set; }

    public Task Ended => _reading;

    /// <summary>Returns once a 200 head has arrived; reading goes on on the poller's thread until <paramref name="stop"/>.</summary>
    public async Task OpenAsync(SocketPoller poller, CancellationToken stop)
    {
        var body = await SseConnection.OpenAsync(url, poller, stop);
        // Reads watch no token (a registration per read cost as much as the read): stopping closes the connection.
        var closeOnStop = stop.Register(static body => ((Stream)body!).Dispose(), body);
        _reading = ReadAsync(body, closeOnStop, CancellationToken.None, stop);
    }

    /// <summary>Returns once the response headers have arrived with 200; reading goes on in the background.</summary>
    public async Task OpenAsync(HttpClient client, CancellationToken stop)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stop);
        if (!response.IsSuccessStatusCode)
        {
            var status = (int)response.StatusCode;
            response.Dispose();
            throw new HttpRequestException($"GET {url} answered {status}.");
        }

        var body = await response.Content.ReadAsStreamAsync(stop);
        _reading = ReadAsync(body, response, stop, stop);
    }

    private async Task ReadAsync(Stream body, IDisposable owner, CancellationToken reads, CancellationToken stop)
    {
        try
        {
            var parser = SseParser.Create(body, static (_, data) => PeerPayload.TryParse(data));
            await foreach (var item in parser.EnumerateAsync(reads).ConfigureAwait(false))
            {
                if (item.Data is { } payload)
                {
                    var now = Stopwatch.GetTimestamp();
                    if (Tally.Record(payload.Sequence))
                    {
                        group.Delivered(this, payload, now);
                    }
                }
            }

            EndedEarly = "the server ended the stream";
        }
        catch (Exception error) when (!stop.IsCancellationRequested)
        {
            EndedEarly = error.Message;
        }
        catch (Exception) when (stop.IsCancellationRequested)
        {
            // The tool stopped it.
        }
        finally
        {
            await body.DisposeAsync().ConfigureAwait(false);
            owner.Dispose();
        }
    }
}
