using System.Net;
using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Text;
using Gateway.Azure.Tests.Support;
using Gateway.Core.Log;
using Gateway.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Azure.Tests.Server;

/// <summary>The real server host (<see cref="GatewayServer.Build"/>) on 127.0.0.1 and a free port, with its log on Table storage.</summary>
public sealed class TableLogServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TableLogServer(WebApplication app)
    {
        _app = app;
        Client = new HttpClient { BaseAddress = new Uri(app.Urls.Single()), Timeout = TimeSpan.FromSeconds(30) };
    }

    public HttpClient Client { get; }

    public IEventLog Log => _app.Services.GetRequiredService<IEventLog>();

    public static async Task<TableLogServer> StartAsync(string connectionString, params (string Key, string Value)[] settings)
    {
        var args = new List<string>
        {
            "--urls", "http://127.0.0.1:0",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Warning",
        };
        args.AddRange(GatewayServices.TableLog(connectionString, TestTables.NewName()).Select(s => $"--{s.Key}={s.Value}"));
        args.AddRange(settings.Select(s => $"--{s.Key}={s.Value}"));
        var app = GatewayServer.Build([.. args]);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await app.StartAsync(timeout.Token);
        return new TableLogServer(app);
    }

    public async Task PublishAsync(string channel, string data, string eventName)
    {
        using var content = new StringContent(data, Encoding.UTF8, "text/plain");
        using var response = await Client.PostAsync($"/api/channels/{channel}/events?event={eventName}", content);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    /// <summary>Publishing goes through the bus: waits until the log holds <paramref name="offset"/>, returns the epoch.</summary>
    public async Task<string> WaitForHeadAsync(string channel, long offset)
    {
        using var timeout = new CancellationTokenSource(Deadlines.Item);
        while (true)
        {
            var head = await Log.GetHeadAsync(channel, timeout.Token);
            if (head.Offset >= offset)
            {
                return head.Epoch!;
            }

            await Task.Delay(20, timeout.Token);
        }
    }

    /// <summary>Opens the channel's SSE stream; every item read is bounded by <see cref="Deadlines.Item"/>.</summary>
    public async Task<SseReader> OpenStreamAsync(string channel, string? lastEventId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/channels/{channel}/stream");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        var response = await Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new SseReader(response, await response.Content.ReadAsStreamAsync());
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }
}

/// <summary>Items of one open SSE response, parsed by <see cref="SseParser"/>.</summary>
public sealed class SseReader(HttpResponseMessage response, Stream body) : IAsyncDisposable
{
    private readonly IAsyncEnumerator<SseItem<string>> _items = SseParser.Create(body).EnumerateAsync().GetAsyncEnumerator();

    public async Task<SseItem<string>> NextAsync()
    {
        Assert.True(await _items.MoveNextAsync().AsTask().WaitAsync(Deadlines.Item), "The stream ended early.");
        return _items.Current;
    }

    public async Task<List<SseItem<string>>> NextAsync(int count)
    {
        var items = new List<SseItem<string>>();
        for (var i = 0; i < count; i++)
        {
            items.Add(await NextAsync());
        }

        return items;
    }

    public async ValueTask DisposeAsync()
    {
        response.Dispose();
        await body.DisposeAsync();
    }
}
