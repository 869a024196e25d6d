using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Gateway.Core.Limits;

/// <summary>
/// Admits streams up to <see cref="LimitOptions.MaxStreams"/> per instance and
/// <see cref="LimitOptions.MaxStreamsPerClient"/> per client address. A stream holds its leases for its whole life
/// and gives them back when it ends; nothing queues, a stream over a limit is refused at once.
/// </summary>
public sealed class StreamLimiter : IDisposable
{
    private readonly ConcurrencyLimiter? _instance;
    private readonly PartitionedRateLimiter<HttpContext>? _perClient;

    public StreamLimiter(IOptions<LimitOptions> options)
    {
        var o = options.Value;
        if (o.MaxStreams > 0)
        {
            _instance = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = o.MaxStreams, QueueLimit = 0 });
        }

        if (o.MaxStreamsPerClient > 0)
        {
            // Idle partitions (no stream open) are dropped by the partitioned limiter itself.
            _perClient = PartitionedRateLimiter.Create<HttpContext, string>(context => RateLimitPartition.GetConcurrencyLimiter(
                ClientPartition.Address(context),
                _ => new ConcurrencyLimiterOptions { PermitLimit = o.MaxStreamsPerClient, QueueLimit = 0 }));
        }
    }

    /// <summary>Takes a slot for one stream; the result says which limit refused it, or holds the leases to dispose at the stream's end.</summary>
    public StreamAdmission TryAdmit(HttpContext context)
    {
        RateLimitLease? client = null;
        if (_perClient is not null)
        {
            client = _perClient.AttemptAcquire(context);
            if (!client.IsAcquired)
            {
                client.Dispose();
                return StreamAdmission.Refused(StreamRefusal.PerClient);
            }
        }

        RateLimitLease? instance = null;
        if (_instance is not null)
        {
            instance = _instance.AttemptAcquire();
            if (!instance.IsAcquired)
            {
                instance.Dispose();
                client?.Dispose();
                return StreamAdmission.Refused(StreamRefusal.Instance);
            }
        }

        return StreamAdmission.Admitted(instance, client);
    }

    public void Dispose()
    {
        _instance?.Dispose();
        _perClient?.Dispose();
    }
}
