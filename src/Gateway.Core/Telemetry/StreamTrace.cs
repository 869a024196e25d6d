using System.Diagnostics;
using Gateway.Core.Events;

namespace Gateway.Core.Telemetry;

/// <summary>
/// One stream's <see cref="GatewayTracing.Stream"/> span, made only while a listener is attached: live deliveries
/// become links to their events' traces (the first <see cref="GatewayTracing.MaxLinksPerStream"/>; the rest are
/// counted), so an event's trace reaches every stream without a span per delivery.
/// </summary>
internal sealed class StreamTrace : IDisposable
{
    private readonly Activity _activity;
    private long _delivered;
    private int _linked;

    private StreamTrace(Activity activity) => _activity = activity;

    /// <summary>The stream's span (a child of the request's), or null when nobody traces.</summary>
    public static StreamTrace? Start(IReadOnlyList<string> channels)
    {
        if (!GatewayTracing.Source.HasListeners())
        {
            return null;
        }

        var activity = GatewayTracing.Source.StartActivity(GatewayTracing.Stream);
        if (activity is null)
        {
            return null;
        }

        activity.SetTag("gateway.channel", channels.Count == 1 ? channels[0] : string.Join(',', channels));
        return new StreamTrace(activity);
    }

    /// <summary>A live event was written to this stream.</summary>
    public void Delivered(ChannelEvent e)
    {
        _delivered++;
        if (e.Trace == default || _linked >= GatewayTracing.MaxLinksPerStream || !_activity.IsAllDataRequested)
        {
            return;
        }

        _linked++;
        _activity.AddLink(new ActivityLink(e.Trace, new ActivityTagsCollection { ["gateway.event.id"] = e.Id, ["gateway.channel"] = e.Channel }));
    }

    public void Dispose()
    {
        _activity.SetTag("gateway.stream.delivered", _delivered);
        _activity.Dispose();
    }
}
