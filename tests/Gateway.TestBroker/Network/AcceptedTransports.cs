using System.Threading.Channels;
using Amqp;

namespace Gateway.TestBroker.Network;

/// <summary>Hands the AMQP connections that <see cref="BrokerListener"/> accepted to AMQPNetLite's listener.</summary>
internal sealed class AcceptedTransports : TransportProvider
{
    public const string Scheme = "sbtest";

    // After disposal the library keeps asking for transports in a loop: answer with one that never comes.
    static readonly Task<IAsyncTransport> Never = new TaskCompletionSource<IAsyncTransport>().Task;

    readonly Channel<IAsyncTransport> pending = Channel.CreateUnbounded<IAsyncTransport>();
    volatile bool disposed;

    public AcceptedTransports() => AddressSchemes = [Scheme];

    public void Add(IAsyncTransport transport)
    {
        if (!pending.Writer.TryWrite(transport))
        {
            transport.Close();
        }
    }

    public override Task<IAsyncTransport> CreateAsync(Address address) =>
        disposed ? Never : pending.Reader.ReadAsync().AsTask();

    public override void Dispose()
    {
        disposed = true;
        pending.Writer.TryComplete();
        base.Dispose();
    }
}
