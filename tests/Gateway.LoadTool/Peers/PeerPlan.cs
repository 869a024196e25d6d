using System.Globalization;

namespace Gateway.LoadTool.Peers;

/// <summary>
/// The shape of one peer run, the same in the coordinator and in every receiving worker: stream <c>i</c> follows
/// channel <c>i % Channels</c> and belongs to worker <c>i % Workers</c>; each channel gets
/// <see cref="WarmupEvents"/> then <see cref="Events"/> events, sequences 0…<see cref="TotalEvents"/>-1.
/// </summary>
internal sealed record PeerPlan(
    string SubscribeUrl, string PublishUrl, string RunId, int Streams, int Channels, int WarmupEvents, int Events, double Rate, int PayloadBytes, int Workers, string Client = PeerPlan.RawClient)
{
    public const string ChannelPlaceholder = "{channel}";

    /// <summary>The tool's own HTTP/1.1 client over polled sockets (<see cref="SseConnection"/>); "http" is HttpClient.</summary>
    public const string RawClient = "raw";

    public int TotalEvents => WarmupEvents + Events;

    public static PeerPlan From(LoadOptions options) => new(
        options.SubscribeUrl!, options.PublishUrl!, options.RunId ?? NewRunId(), options.Streams, options.Channels,
        options.WarmupEvents, options.Events, options.Rate, options.PayloadBytes, options.Workers > 0 ? options.Workers : AutoWorkers(options.Streams), options.Client);

    /// <summary>A process per 5,000 streams: at 10,000 the receiving is split so one runtime's GC and thread pool is not the limit.</summary>
    public static int AutoWorkers(int streams) => Math.Max(1, (streams + 4999) / 5000);

    public string Channel(int index) => string.Create(CultureInfo.InvariantCulture, $"{RunId}-{index}");

    public Uri SubscribeUri(string channel) => new(SubscribeUrl.Replace(ChannelPlaceholder, channel, StringComparison.Ordinal));

    public Uri PublishUri(string channel) => new(PublishUrl.Replace(ChannelPlaceholder, channel, StringComparison.Ordinal));

    /// <summary>The subscribe URLs of worker <paramref name="worker"/>'s streams.</summary>
    public IReadOnlyList<Uri> StreamsOf(int worker) =>
        [.. Enumerable.Range(0, Streams).Where(i => i % Workers == worker).Select(i => SubscribeUri(Channel(i % Channels)))];

    private static string NewRunId() => $"peer{Guid.NewGuid():N}"[..12];
}
