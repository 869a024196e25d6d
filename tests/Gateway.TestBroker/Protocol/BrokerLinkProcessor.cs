using Amqp;
using Amqp.Framing;
using Amqp.Listener;
using Amqp.Types;
using Gateway.TestBroker.Entities;

namespace Gateway.TestBroker.Protocol;

/// <summary>
/// Routes every attach: <c>$cbs</c>, <c>entity/$management</c>, producers to topics and receivers on
/// subscriptions. Each reply carries max-message-size: the client refuses to send on a link without it.
/// </summary>
internal sealed class BrokerLinkProcessor(BrokerEntities entities, ulong maxMessageSize, Action<string>? onSending) : ILinkProcessor
{
    const int RequestCredit = 100;
    const int IngressCredit = 500;
    static readonly Symbol SessionFilter = new("com.microsoft:session-filter");
    static readonly Symbol LockedUntilUtc = new("com.microsoft:locked-until-utc");

    readonly ReplyLinks replies = new();
    readonly CbsRequests cbs = new();

    public void Process(AttachContext attachContext)
    {
        var attach = attachContext.Attach;
        attach.MaxMessageSize = maxMessageSize;
        var clientReceives = attach.Role;
        var address = clientReceives ? (attach.Source as Source)?.Address : (attach.Target as Target)?.Address;

        if (string.Equals(address?.Trim('/'), "$cbs", StringComparison.OrdinalIgnoreCase))
        {
            AttachRequestResponse(attachContext, cbs);
            return;
        }

        var entity = EntityAddress.Parse(address);
        if (entity is null)
        {
            Refuse(attachContext, ErrorCode.NotFound, $"'{address}' is not an entity address of this broker.");
            return;
        }

        if (entity.Management)
        {
            if (entities.FindQueue(entity) is { } managed)
            {
                AttachRequestResponse(attachContext, new ManagementRequests(managed));
            }
            else
            {
                Refuse(attachContext, ErrorCode.NotImplemented, $"The test broker has no management node for '{address}'.");
            }

            return;
        }

        if (clientReceives)
        {
            AttachReceiver(attachContext, entity, address!);
        }
        else
        {
            AttachProducer(attachContext, entity, address!);
        }
    }

    void AttachRequestResponse(AttachContext attachContext, IRequestHandler handler)
    {
        if (attachContext.Attach.Role)
        {
            replies.Add(((Target)attachContext.Attach.Target).Address, attachContext.Link);
            attachContext.Complete(new ReplyEndpoint(), 0);
        }
        else
        {
            attachContext.Complete(new RequestEndpoint(handler, replies), RequestCredit);
        }
    }

    void AttachReceiver(AttachContext attachContext, EntityAddress entity, string address)
    {
        if (entities.FindQueue(entity) is not { } queue)
        {
            Refuse(attachContext, ErrorCode.NotFound, $"The messaging entity '{address}' could not be found.");
            return;
        }

        var source = attachContext.Attach.Source as Source;
        var sessionReceiver = source?.FilterSet?.ContainsKey(SessionFilter) == true;
        if (sessionReceiver != queue.RequiresSession)
        {
            Refuse(
                attachContext,
                ErrorCode.NotAllowed,
                queue.RequiresSession
                    ? $"The entity '{address}' requires sessions: only a session receiver (AcceptNextSessionAsync, AcceptSessionAsync, a session processor) can receive from it."
                    : $"The entity '{address}' does not require sessions: a session receiver cannot receive from it.");
            return;
        }

        if (!sessionReceiver)
        {
            attachContext.Complete(new DeliveryEndpoint(queue, attachContext.Link), 0);
            return;
        }

        AttachSessionReceiver(attachContext, queue, source!);
    }

    /// <summary>
    /// A session receiver: its filter names the session, or is null for the next available one. The attach is answered
    /// once a session is locked for it, with the session's id in the filter and its lock expiry (ticks) in the
    /// properties, which is where the client reads them.
    /// </summary>
    static void AttachSessionReceiver(AttachContext attachContext, EntityQueue queue, Source source)
    {
        var link = attachContext.Link;
        var endpoint = new DeliveryEndpoint(queue, link, sessionReceiver: true);
        link.Closed += (_, _) => queue.CancelAccept(endpoint);
        queue.AcceptSession(new Entities.SessionAccept(
            endpoint,
            source.FilterSet[SessionFilter] as string,
            (sessionId, lockedUntilUtc) =>
            {
                source.FilterSet[SessionFilter] = sessionId;
                attachContext.Attach.Properties ??= [];
                attachContext.Attach.Properties[LockedUntilUtc] = lockedUntilUtc.Ticks;
                try
                {
                    attachContext.Complete(endpoint, 0);
                }
                catch (Exception ex) when (ex is AmqpException or ObjectDisposedException or InvalidOperationException)
                {
                    // The client gave up on the attach meanwhile: give the session back.
                    queue.CancelAccept(endpoint);
                    return;
                }

                if (link.IsClosed)
                {
                    queue.CancelAccept(endpoint);
                }
            },
            error =>
            {
                try
                {
                    attachContext.Complete(error);
                }
                catch (Exception ex) when (ex is AmqpException or ObjectDisposedException or InvalidOperationException)
                {
                    // The client gave up on the attach meanwhile.
                }
            }));
    }

    void AttachProducer(AttachContext attachContext, EntityAddress entity, string address)
    {
        if (entity.Subscription is not null || entities.FindTopic(entity.Topic) is not { } topic)
        {
            Refuse(attachContext, ErrorCode.NotFound, $"The messaging entity '{address}' could not be found.");
            return;
        }

        attachContext.Complete(new IngressEndpoint(topic, onSending), IngressCredit);
    }

    static void Refuse(AttachContext attachContext, Symbol condition, string description) =>
        attachContext.Complete(new Error(condition) { Description = description });
}
