using Amqp;
using Amqp.Framing;

namespace Gateway.TestBroker.Protocol;

/// <summary>
/// The client sends a <c>ServiceBusMessageBatch</c> (and often a single message) as one AMQP message of format
/// 0x80013700 whose body is a list of Data sections, each an encoded message: unpack those.
/// </summary>
internal static class BatchedMessages
{
    const uint BatchFormat = 0x80013700;

    public static IReadOnlyList<Message> Unpack(Message received)
    {
        if (received.Format != BatchFormat)
        {
            return [received];
        }

        return received.BodySection switch
        {
            DataList list => Enumerable.Range(0, list.Count).Select(i => Decode(list[i])).ToList(),
            Data data => [Decode(data)],
            _ => [],
        };
    }

    static Message Decode(Data data) =>
        Message.Decode(new ByteBuffer(data.Binary, 0, data.Binary.Length, data.Binary.Length));
}
