using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Gateway.Core.Limits;

/// <summary>
/// A token bucket per publisher (<see cref="ClientPartition.Publisher"/>): <see cref="LimitOptions.PublishBurst"/>
/// publishes at once, refilled at <see cref="LimitOptions.PublishPerSecond"/>. Nothing queues.
/// </summary>
public sealed class PublishLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<HttpContext>? _buckets;

    public PublishLimiter(IOptions<LimitOptions> options)
    {
        var o = options.Value;
        if (o.PublishPerSecond > 0)
        {
            // AutoReplenishment off: the partitioned limiter's one timer refills every bucket, instead of a timer each.
            _buckets = PartitionedRateLimiter.Create<HttpContext, string>(context => RateLimitPartition.GetTokenBucketLimiter(
                ClientPartition.Publisher(context),
                _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = o.PublishBurst,
                    TokensPerPeriod = o.PublishPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    AutoReplenishment = false,
                    QueueLimit = 0,
                }));
        }
    }

    /// <summary>True when the publisher has a token; else <paramref name="retryAfter"/> says when it will have one.</summary>
    public bool TryAcquire(HttpContext context, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (_buckets is null)
        {
            return true;
        }

        // A token bucket's lease holds nothing: disposing it returns no token.
        using var lease = _buckets.AttemptAcquire(context);
        if (lease.IsAcquired)
        {
            return true;
        }

        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(1);
        return false;
    }

    public void Dispose() => _buckets?.Dispose();
}
