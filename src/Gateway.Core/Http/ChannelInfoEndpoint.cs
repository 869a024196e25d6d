using Gateway.Core.Access;
using Gateway.Core.Channels;
using Gateway.Core.Events;
using Gateway.Core.Hub;
using Gateway.Core.Log;
using Microsoft.AspNetCore.Http;

namespace Gateway.Core.Http;

/// <summary>
/// <c>GET /api/channels/{channel}</c>: the channel's head id, its oldest retained id, and how many streams follow it on
/// this instance (Nchan's channel info), for both hosts, to whoever may subscribe to it. A channel without a log answers
/// 200 with both ids null, as a stream of it opens: so the answer shows a caller nothing a stream would not.
/// </summary>
public sealed class ChannelInfoEndpoint(IEventLog log, EventHub hub, ChannelAccess access)
{
    public async Task InfoAsync(HttpContext context, string channel)
    {
        if (!ChannelName.TryValidate(channel, out var channelError))
        {
            await Problems.BadRequest(context, "Invalid channel name", channelError);
            return;
        }

        if (!(await access.CheckAsync(context, channel, ChannelRight.Subscribe)).Allowed)
        {
            return;
        }

        ChannelInfo info;
        try
        {
            var head = await log.GetHeadAsync(channel, context.RequestAborted);
            var oldest = head.Exists ? await log.GetOldestOffsetAsync(channel, context.RequestAborted) : null;
            info = new ChannelInfo(
                channel,
                head.Exists ? new EventPosition(head.Epoch!, head.Offset).ToString() : null,
                oldest is { } first ? new EventPosition(head.Epoch!, first).ToString() : null,
                hub.SubscriberCountOf(channel));
        }
        catch (EventLogUnavailableException)
        {
            await Problems.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "Log unavailable",
                "The event log cannot be read right now; try again shortly.");
            return;
        }

        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsJsonAsync(info, ChannelInfoJsonContext.Default.ChannelInfo, cancellationToken: context.RequestAborted);
    }
}
