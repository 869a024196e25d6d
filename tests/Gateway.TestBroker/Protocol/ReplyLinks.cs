using System.Collections.Concurrent;
using Amqp;
using Amqp.Listener;

namespace Gateway.TestBroker.Protocol;

/// <summary>The client's receiving links of request/response nodes, by their address (the requests' reply-to).</summary>
internal sealed class ReplyLinks
{
    readonly ConcurrentDictionary<string, ListenerLink> links = new(StringComparer.Ordinal);

    public void Add(string address, ListenerLink link)
    {
        links[address] = link;
        link.Closed += (_, _) => links.TryRemove(new KeyValuePair<string, ListenerLink>(address, link));
    }

    public bool TrySend(string? address, Message response)
    {
        if (address is null || !links.TryGetValue(address, out var link))
        {
            return false;
        }

        try
        {
            link.SendMessage(response);
            return true;
        }
        catch (Exception ex) when (ex is AmqpException or ObjectDisposedException or InvalidOperationException)
        {
            // The client closed its reply link meanwhile; it no longer waits for the answer.
            return false;
        }
    }
}
