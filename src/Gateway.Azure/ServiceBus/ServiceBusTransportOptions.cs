namespace Gateway.Azure.ServiceBus;

/// <summary>
/// Entity names and ingest tuning of the Service Bus transport. Bound from <c>Gateway:ServiceBus</c>; the
/// connection itself is the <c>EventBus</c> key (a connection string, or identity settings below it).
/// </summary>
public sealed class ServiceBusTransportOptions
{
    public const string SectionName = "Gateway:ServiceBus";

    /// <summary>The topic producers send to (and HTTP publish sends to).</summary>
    public string Topic { get; set; } = "events";

    /// <summary>The durable subscription of <see cref="Topic"/> that every instance consumes competitively.</summary>
    public string Subscription { get; set; } = "gateway";

    /// <summary>The topic committed events are published to, so that every instance's hub sees them.</summary>
    public string FanoutTopic { get; set; } = "events-fanout";

    /// <summary>
    /// A fixed subscription of <see cref="FanoutTopic"/> for this instance. When unset, each instance creates its
    /// own at start-up, named from its instance id; set it for a single instance or a namespace where the app
    /// may not create subscriptions.
    /// </summary>
    public string? FanoutSubscription { get; set; }

    /// <summary>This instance's id; unset → <c>WEBSITE_INSTANCE_ID</c>, else a GUID made at start-up.</summary>
    public string? InstanceId { get; set; }

    /// <summary>
    /// At most this many messages are ingested together (one log append per channel per batch). A batch is what has
    /// arrived while the previous one was ingested: a lone event goes alone at once, a backlog goes in batches.
    /// </summary>
    public int MaxBatchSize { get; set; } = 100;

    /// <summary>
    /// How many ingest messages the client fetches ahead. The client grants the broker one delivery per message it has
    /// not settled yet, so this is also how many messages one instance holds locked at once: the batch in hand (its
    /// locks renewed) and those waiting for the next batch (not renewed: if ingest stalls longer than a lock lasts,
    /// they come back once with their delivery count one higher). During a storage outage ingest receives nothing
    /// more, so an outage of any length costs at most these messages one delivery each. Twice <see cref="MaxBatchSize"/> lets the next batch
    /// fill while one is appended; below <see cref="MaxBatchSize"/> it caps the batch; 0 fetches one message per
    /// receive call (a round trip each, slower in a burst).
    /// </summary>
    public int IngestPrefetchCount { get; set; } = 200;

    /// <summary>
    /// How many fan-out copies this instance's receiver fetches ahead (and completes together). The fan-out
    /// receiver takes one message per receive call, so events go to streams without a batch wait; the prefetch
    /// buffer keeps the throughput. Prefetched copies hold locks: keep it well below what one lock period delivers.
    /// </summary>
    public int FanoutPrefetchCount { get; set; } = 100;

    /// <summary>How long one receive waits for the first message before it returns empty and asks again.</summary>
    public TimeSpan ReceiveWaitTime { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Strict send order per channel: the <see cref="Subscription"/> requires sessions, producers set
    /// <c>SessionId</c> = channel, and ingest takes one session (one channel) at a time per slot, so a channel's
    /// messages are appended in the order they were sent even across releases and redeliveries. Costs: a channel is
    /// ingested by one instance at a time, and at most <see cref="MaxConcurrentSessions"/> channels per instance.
    /// The subscription's <c>requiresSession</c> must match (the infra's <c>serviceBusSessions</c> parameter sets both).
    /// </summary>
    public bool Sessions { get; set; }

    /// <summary>
    /// With <see cref="Sessions"/>: how many sessions (channels) this instance ingests at a time. A session is held until
    /// a receive of <see cref="ReceiveWaitTime"/> comes back empty, then given back for the next.
    /// </summary>
    public int MaxConcurrentSessions { get; set; } = 8;

    /// <summary>
    /// How long the locks of one batch are kept alive while its append is slow or retried; past it the batch is
    /// abandoned and redelivered.
    /// </summary>
    public TimeSpan MaxLockRenewalDuration { get; set; } = TimeSpan.FromMinutes(5);
}
