using Amqp;
using Amqp.Framing;
using Amqp.Listener;
using Amqp.Types;
using Gateway.TestBroker.Entities;

namespace Gateway.TestBroker.Protocol;

/// <summary>
/// A receiver's link on a subscription (or its dead-letter queue): sends what the link credit allows and turns the
/// receiver's dispositions into queue outcomes. Peek-lock dispositions arrive unsettled and are answered settled,
/// or the client's Complete/Abandon/DeadLetter call never returns.
/// </summary>
internal sealed class DeliveryEndpoint : LinkEndpoint, IMessageConsumer
{
    readonly EntityQueue queue;
    readonly ListenerLink link;
    readonly SenderLinkCredit credit;
    volatile bool closed;
    bool broken;

    /// <param name="sessionReceiver">
    /// True for a session receiver: it joins the queue when the queue locks a session for it
    /// (<see cref="EntityQueue.AcceptSession"/>), not here.
    /// </param>
    public DeliveryEndpoint(EntityQueue queue, ListenerLink link, bool sessionReceiver = false)
    {
        this.queue = queue;
        this.link = link;
        IsSessionReceiver = sessionReceiver;
        credit = new SenderLinkCredit(link);
        // On close the library releases the unsettled deliveries; Service Bus keeps such locks until they expire.
        link.Closed += (_, _) => closed = true;
        if (!sessionReceiver)
        {
            queue.AddConsumer(this);
        }
    }

    public bool SettlesOnSend => link.SettleOnSend;

    public bool IsSessionReceiver { get; }

    public string? SessionId { get; set; }

    /// <summary>True once the link is closed (or closing).</summary>
    public bool IsClosed => closed;

    public int Credit => broken ? 0 : credit.Available;

    public void ApplyFlow(int limitChange) => credit.OnFlow(limitChange);

    public void Send(Message message)
    {
        try
        {
            link.SendMessage(message);
        }
        catch
        {
            // The link is closing: offer it nothing more (the queue would otherwise retry it for ever).
            broken = true;
            throw;
        }

        credit.OnSent();
    }

    public void CompleteDrain()
    {
        link.CompleteDrain();
        credit.OnDrained();
    }

    public void Detach(Error error)
    {
        broken = true;

        // Closing takes the link's lock; the queue's lock is held here, and the library holds the link's while it
        // calls into the queue: close from another thread.
        _ = Task.Run(() =>
        {
            try
            {
                link.Close(TimeSpan.Zero, error);
            }
            catch (Exception ex) when (ex is AmqpException or ObjectDisposedException or InvalidOperationException)
            {
                // Already closing.
            }
        });
    }

    public override void OnFlow(FlowContext flowContext) =>
        queue.OnFlow(this, flowContext.Messages, flowContext.Link.IsDraining);

    public override void OnDisposition(DispositionContext dispositionContext)
    {
        // A dropped link's unsettled deliveries are settled by the library itself, not by the client: Released, or
        // Rejected carrying the error the connection or link ended with (AMQPNetLite Delivery.ReleaseAll). `closed`
        // (the library's close notification) catches most of them, but a delivery being written when the connection
        // drops is rejected before that notification, and the broker took that for the client's dead-letter call: a
        // message lost that Service Bus would have kept (it holds the lock until it expires). A client never sends
        // those errors in a disposition. (A link the broker itself is closing still answers the client's late
        // settlements, with the lock-lost error Service Bus gives.)
        if (closed || IsSettledByTheLibrary(dispositionContext.DeliveryState)
            || dispositionContext.Message.MessageAnnotations?[DeliveryMessages.LockToken] is not Guid lockToken)
        {
            return;
        }

        DeliveryState reply = queue.Settle(lockToken, dispositionContext.DeliveryState);
        if (!dispositionContext.Settled)
        {
            dispositionContext.Link.DisposeMessage(dispositionContext.Message, reply, true);
        }
    }

    static bool IsSettledByTheLibrary(DeliveryState? state) =>
        state is Rejected { Error.Condition: { } condition }
        && (Equals(condition, ConnectionForced) || Equals(condition, DetachForced));

    static readonly Symbol ConnectionForced = new(ErrorCode.ConnectionForced);
    static readonly Symbol DetachForced = new(ErrorCode.DetachForced);

    // The library calls this holding the link's lock, while a delivery to this link holds the queue's lock and
    // waits for the link's: leave the queue from another thread. Until then, sends to the closed link fail and
    // the queue keeps the message.
    public override void OnLinkClosed(ListenerLink link, Error error) => _ = Task.Run(() => queue.RemoveConsumer(this));
}
