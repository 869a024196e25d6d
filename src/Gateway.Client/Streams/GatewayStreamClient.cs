using Gateway.Client.Rules;

namespace Gateway.Client.Streams;

/// <summary>
/// Opens gateway streams on an <see cref="HttpClient"/> whose <see cref="HttpClient.BaseAddress"/> is the gateway. Each
/// <see cref="GatewayStream"/> is an <see cref="IAsyncEnumerable{T}"/> of events that reconnects by itself.
/// </summary>
/// <param name="http">Shared by the streams. Give it <see cref="Timeout.InfiniteTimeSpan"/> as <see cref="HttpClient.Timeout"/>: a stream is
/// one long response, and <see cref="GatewayStreamOptions.IdleTimeout"/> already replaces a silent one. Add a bearer token to its
/// default headers where the gateway needs one.</param>
/// <param name="options">How streams reconnect; null for the defaults.</param>
public sealed class GatewayStreamClient(HttpClient http, GatewayStreamOptions? options = null)
{
    /// <summary>The stream of one channel (<c>GET /api/channels/{channel}/stream</c>).</summary>
    /// <param name="channel">A valid channel name.</param>
    /// <param name="lastEventId">Resume after this id (or <c>earliest</c> for the oldest retained event); null for live events only.</param>
    /// <exception cref="ArgumentException"><paramref name="channel"/> is not a valid channel name.</exception>
    public GatewayStream Channel(string channel, string? lastEventId = null)
    {
        if (!ChannelNameRule.TryValidate(channel, out var error))
        {
            throw new ArgumentException(error, nameof(channel));
        }

        return new GatewayStream(http, $"api/channels/{channel}/stream", [channel], several: false, lastEventId, options ?? new GatewayStreamOptions());
    }

    /// <summary>One stream over several channels (<c>GET /api/stream?channel=a&amp;channel=b</c>); each event names its channel.</summary>
    /// <param name="channels">Distinct valid channel names, in the order the ids' index refers to.</param>
    /// <param name="lastEventId">Resume after this id of the same channel list (or <c>earliest</c>); null for live events only.</param>
    /// <exception cref="ArgumentException">No channel, an invalid name or a duplicate.</exception>
    public GatewayStream Channels(IEnumerable<string> channels, string? lastEventId = null)
    {
        var list = channels.ToArray();
        if (list.Length == 0)
        {
            throw new ArgumentException("Name at least one channel.", nameof(channels));
        }

        foreach (var channel in list)
        {
            if (!ChannelNameRule.TryValidate(channel, out var error))
            {
                throw new ArgumentException(error, nameof(channels));
            }
        }

        if (list.Distinct(StringComparer.Ordinal).Count() != list.Length)
        {
            throw new ArgumentException("A channel is named twice; the gateway refuses that (the id's index must mean what the list says).", nameof(channels));
        }

        var query = string.Join('&', list.Select(c => "channel=" + c));
        return new GatewayStream(http, "api/stream?" + query, list, several: true, lastEventId, options ?? new GatewayStreamOptions());
    }
}
