using System.Net;
using System.Security.Claims;
using Gateway.Core.Limits;
using Gateway.Testing.Hosting;
using Microsoft.AspNetCore.Http;

namespace Gateway.Tests.Limits;

/// <summary><c>Gateway:Limits:PublishPerSecond</c> and <c>PublishBurst</c>: a token bucket per publisher.</summary>
public sealed class PublishRateLimitTests
{
    private const int Burst = 5;

    [Fact]
    public async Task Publishing_past_the_burst_gets_429_with_Retry_After()
    {
        // One token a second: the requests below come far faster, so the bucket runs dry soon after the burst.
        await using var host = await GatewayTestHost.StartAsync(("Gateway:Limits:PublishPerSecond", "1"), ("Gateway:Limits:PublishBurst", $"{Burst}"));
        var accepted = 0;
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 100 && refused is null; i++)
        {
            var response = await host.Client.PostAsync(GatewayTestHost.PublishPath("c"), new StringContent($"{i}"));
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                accepted++;
                response.Dispose();
            }
            else
            {
                refused = response;
            }
        }

        Assert.NotNull(refused);
        using (refused)
        {
            await LimitResponses.AssertRefusedAsync(refused, HttpStatusCode.TooManyRequests, "PublishPerSecond");
        }

        Assert.True(accepted >= Burst, $"Only {accepted} publishes were accepted before the first 429; the burst is {Burst}.");

        // Refused publishes never reached the log.
        await host.WaitForHeadAsync("c", accepted);
        Assert.Equal(accepted, (await host.Log.GetHeadAsync("c", CancellationToken.None)).Offset);
    }

    [Fact]
    public void Each_authenticated_subject_has_its_own_bucket_and_anonymous_callers_share_their_address()
    {
        using var limiter = new PublishLimiter(Microsoft.Extensions.Options.Options.Create(new LimitOptions { PublishPerSecond = 1, PublishBurst = Burst }));
        var alice = Context("alice");

        // Drain alice's bucket (bounded): however slow this machine, the loop outpaces one token a second.
        var acquired = 0;
        TimeSpan retryAfter = default;
        while (acquired < 1_000 && limiter.TryAcquire(alice, out retryAfter))
        {
            acquired++;
        }

        Assert.InRange(acquired, Burst, 999);
        Assert.True(retryAfter > TimeSpan.Zero);

        // Same address, other subjects: untouched buckets.
        Assert.True(limiter.TryAcquire(Context("bob"), out _));
        Assert.True(limiter.TryAcquire(Context(null), out _));
    }

    [Fact]
    public void With_no_rate_configured_publishing_is_not_limited()
    {
        using var limiter = new PublishLimiter(Microsoft.Extensions.Options.Options.Create(new LimitOptions()));
        var context = Context(null);
        Assert.All(Enumerable.Range(0, 10_000), i => Assert.True(limiter.TryAcquire(context, out _)));
    }

    private static DefaultHttpContext Context(string? subject)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse("198.51.100.7");
        if (subject is not null)
        {
            context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", subject)], authenticationType: "test"));
        }

        return context;
    }
}
