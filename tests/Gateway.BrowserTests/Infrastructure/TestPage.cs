using Gateway.Testing;
using Microsoft.Playwright;

namespace Gateway.BrowserTests.Infrastructure;

/// <summary>One event as the EventSource test page saw it.</summary>
public sealed record ReceivedEvent(string Type, string Data, string LastEventId)
{
    /// <summary>For Playwright, which fills the properties of an evaluation result after creating it.</summary>
    public ReceivedEvent()
        : this("", "", "")
    {
    }
}

/// <summary>One event as the multi-channel test page saw it, with the channel it read from the id's index.</summary>
public sealed record ReceivedChannelEvent(string Type, string Data, string LastEventId, string Channel)
{
    /// <summary>For Playwright, which fills the properties of an evaluation result after creating it.</summary>
    public ReceivedChannelEvent()
        : this("", "", "", "")
    {
    }
}

/// <summary>Reads what the EventSource test page (<c>Pages/eventsource.html</c>) recorded.</summary>
public sealed class TestPage(IPage page)
{
    public Task<ReceivedEvent[]> ReceivedAsync() => page.EvaluateAsync<ReceivedEvent[]>("() => window.received");

    /// <summary>What the multi-channel page recorded (with each event's channel).</summary>
    public Task<ReceivedChannelEvent[]> ReceivedWithChannelsAsync() => page.EvaluateAsync<ReceivedChannelEvent[]>("() => window.received");

    public Task<int> OpensAsync() => page.EvaluateAsync<int>("() => window.opens");

    public Task UntilReceivedAsync(int count, TimeSpan timeout) =>
        page.WaitForFunctionAsync("n => window.received.length >= n", count, Polling(timeout));

    public Task UntilOpensAsync(int count, TimeSpan timeout) =>
        page.WaitForFunctionAsync("n => window.opens >= n", count, Polling(timeout));

    private static PageWaitForFunctionOptions Polling(TimeSpan timeout) =>
        new() { PollingInterval = 50, Timeout = Waits.Milliseconds(timeout) };
}
