using System.Diagnostics;

namespace Gateway.Core.Telemetry;

/// <summary>
/// The gateway's spans, on the activity source <see cref="SourceName"/> (export it with OpenTelemetry). One event's
/// journey is one trace: the producer's send → <see cref="Ingest"/> (→ <see cref="Append"/> → the Table SDK's calls,
/// → <see cref="FanoutSend"/>) → <see cref="FanoutReceive"/> on every instance → a link from each
/// <see cref="Stream"/> span it was delivered to. No span is made per delivery.
/// </summary>
public static class GatewayTracing
{
    public const string SourceName = "Gateway";

    /// <summary>
    /// The Azure SDKs' activity sources (<c>Azure.Messaging.ServiceBus.ServiceBusSender</c>, <c>….Message</c>,
    /// <c>Azure.Data.Tables.TableClient</c>, …), as an OpenTelemetry source name pattern.
    /// </summary>
    public const string AzureSdkSources = "Azure.*";

    /// <summary>
    /// The switch that makes the Azure SDKs emit their spans through <see cref="ActivitySource"/> (Azure.Core reads it
    /// once, when the first client is made; <c>AZURE_EXPERIMENTAL_ENABLE_ACTIVITY_SOURCE=true</c> is the same).
    /// </summary>
    public const string AzureSdkActivitySwitch = "Azure.Experimental.EnableActivitySource";

    /// <summary>One ingested batch (Consumer): the child of its message's send, or linked to each send when they differ.</summary>
    public const string Ingest = "gateway.ingest";

    /// <summary>One channel's append to the log within an ingest.</summary>
    public const string Append = "gateway.log.append";

    /// <summary>Committed events sent to the fan-out topic (Producer).</summary>
    public const string FanoutSend = "gateway.fanout.send";

    /// <summary>One committed event taken from this instance's fan-out subscription into its hub (Consumer).</summary>
    public const string FanoutReceive = "gateway.fanout.receive";

    /// <summary>One SSE stream, linked to the traces of the first <see cref="MaxLinksPerStream"/> live events it delivered.</summary>
    public const string Stream = "gateway.stream";

    /// <summary>
    /// Links a stream span keeps at most: a stream lives for minutes and its span is held in memory until it ends, so
    /// the rest are only counted (<c>gateway.stream.delivered</c>).
    /// </summary>
    public const int MaxLinksPerStream = 64;

    /// <summary>Static, as activity sources are meant to be: listeners attach by name, and an unobserved source costs nothing.</summary>
    public static readonly ActivitySource Source = new(SourceName);
}
