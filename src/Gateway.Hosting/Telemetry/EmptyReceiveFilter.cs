using System.Diagnostics;
using OpenTelemetry;

namespace Gateway.Hosting.Telemetry;

/// <summary>
/// Keeps the Service Bus SDK's empty receives out of the export. The gateway's receivers wait in a loop
/// (<c>ReceiveWaitTime</c>, a second by default), and the SDK makes a span for every wait, so an idle instance would
/// export two spans a second that say nothing. A receive that got messages links to their sends and stays; so does
/// one that failed.
/// </summary>
internal sealed class EmptyReceiveFilter : BaseProcessor<Activity>
{
    private const string ReceiverSource = "Azure.Messaging.ServiceBus.ServiceBusReceiver";
    private const string Receive = "ServiceBusReceiver.Receive";

    public override void OnEnd(Activity data)
    {
        if (data.OperationName == Receive
            && data.Source.Name == ReceiverSource
            && data.Status != ActivityStatusCode.Error
            && !data.Links.Any())
        {
            // Exporters skip spans that are not recorded; this processor runs before them (it is added first).
            data.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
        }
    }
}
