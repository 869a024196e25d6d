using System.Net;
using System.Text;
using Gateway.Testing.Hosting;
using Gateway.Testing.Http;

namespace Gateway.Tests.Access;

/// <summary>The gateway's own event names cannot be published: a forged <c>reset</c> would make clients drop state.</summary>
public sealed class ReservedEventNameTests
{
    [Fact]
    public async Task Publishing_a_reset_event_is_400_with_a_problem_and_nothing_is_appended()
    {
        await using var host = await GatewayTestHost.StartAsync();
        using var content = new StringContent("{}", Encoding.UTF8, "text/plain");
        using var response = await host.Client.PostAsync(GatewayHttp.PublishPath("reserved", "reset"), content);

        var detail = await AccessTokenTests.AssertProblemAsync(response, HttpStatusCode.BadRequest, "Invalid event name");
        Assert.Contains("reserved", detail, StringComparison.Ordinal);

        // A differently cased name is another event for EventSource, and allowed.
        await host.PublishAsync("reserved", "ok", "Reset");
        Assert.Equal(1, (await WaitForOneAsync(host)).Offset);
    }

    private static async Task<Gateway.Core.Log.LogHead> WaitForOneAsync(GatewayTestHost host)
    {
        await host.WaitForHeadAsync("reserved", 1);
        return await host.Log.GetHeadAsync("reserved", CancellationToken.None);
    }
}
