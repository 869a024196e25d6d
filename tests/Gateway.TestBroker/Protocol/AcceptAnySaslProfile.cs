using Amqp;
using Amqp.Sasl;
using Amqp.Types;

namespace Gateway.TestBroker.Protocol;

/// <summary>
/// The Service Bus client negotiates SASL mechanism <c>MSSBCBS</c> (the real token follows over <c>$cbs</c>);
/// the test broker accepts it like ANONYMOUS.
/// </summary>
internal sealed class AcceptAnySaslProfile() : SaslProfile(Name)
{
    public static readonly Symbol Name = new("MSSBCBS");

    protected override ITransport UpgradeTransport(ITransport transport) => transport;

    protected override DescribedList GetStartCommand(string hostname) => new SaslInit { Mechanism = Name };

    protected override DescribedList OnCommand(DescribedList command) => new SaslOutcome { Code = SaslCode.Ok };
}
