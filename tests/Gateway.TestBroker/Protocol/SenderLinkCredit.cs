using System.Reflection;
using Amqp.Listener;

namespace Gateway.TestBroker.Protocol;

/// <summary>
/// The credit of a link on which the broker sends, as AMQP defines it: the receiver's limit (its flow's
/// delivery-count + link-credit) minus the deliveries sent. AMQPNetLite 2.5.5's <see cref="ListenerLink"/> reports a
/// flow only as the change of that limit and sets the credit to 0 when the limit did not rise. The Service Bus client
/// repeats its last flow when a receive call starts while its credit is outstanding; with nothing to send at that
/// moment the link lost the credit the receiver still counted on, and the receiver stalled for good (prefetch 1).
/// So this keeps the limit itself and writes the right credit back into the link, whose own flow arithmetic and
/// <see cref="ListenerLink.CompleteDrain"/> then stay correct. Counts start at the link's delivery-count at attach.
/// Not thread-safe: the owning queue calls it under its lock, the only place deliveries are sent from.
/// </summary>
internal sealed class SenderLinkCredit(ListenerLink link)
{
    static readonly FieldInfo LinkCreditField = typeof(ListenerLink).GetField("credit", BindingFlags.Instance | BindingFlags.NonPublic)
        ?? throw new InvalidOperationException("AMQPNetLite's ListenerLink has no 'credit' field any more: check SenderLinkCredit against the new version.");

    int sent;
    int limit;

    /// <summary>Deliveries the receiver allows now.</summary>
    public int Available => Math.Max(0, limit - sent);

    /// <summary>Takes a flow the link reported as a change of the receiver's limit.</summary>
    public void OnFlow(int limitChange)
    {
        // The link's limit moved only with flows (a send adds to the delivery-count what it takes from the credit),
        // so the receiver's new limit is ours plus the change, whatever the link did with its credit.
        limit += limitChange;
        if (limit < sent)
        {
            // The receiver lowered its limit below what is already sent: no credit, and the link's limit is its count.
            limit = sent;
        }

        LinkCreditField.SetValue(link, (uint)(limit - sent));
    }

    public void OnSent() => sent++;

    /// <summary>After <see cref="ListenerLink.CompleteDrain"/>: the link advanced its delivery-count to the limit.</summary>
    public void OnDrained() => sent = limit;
}
