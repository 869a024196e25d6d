using System.Threading.RateLimiting;

namespace Gateway.Core.Limits;

/// <summary>Which limit refused a stream.</summary>
public enum StreamRefusal
{
    None,

    /// <summary><see cref="LimitOptions.MaxStreams"/>: the instance is full (503).</summary>
    Instance,

    /// <summary><see cref="LimitOptions.MaxStreamsPerClient"/>: this client has too many open (429).</summary>
    PerClient,
}

/// <summary>A stream's slots, held until it ends (dispose), or the reason it got none.</summary>
public sealed class StreamAdmission : IDisposable
{
    private readonly RateLimitLease? _instance;
    private readonly RateLimitLease? _client;

    private StreamAdmission(StreamRefusal refusal, RateLimitLease? instance, RateLimitLease? client)
    {
        Refusal = refusal;
        _instance = instance;
        _client = client;
    }

    public StreamRefusal Refusal { get; }

    public bool IsAdmitted => Refusal == StreamRefusal.None;

    internal static StreamAdmission Admitted(RateLimitLease? instance, RateLimitLease? client) => new(StreamRefusal.None, instance, client);

    internal static StreamAdmission Refused(StreamRefusal refusal) => new(refusal, null, null);

    public void Dispose()
    {
        _instance?.Dispose();
        _client?.Dispose();
    }
}
