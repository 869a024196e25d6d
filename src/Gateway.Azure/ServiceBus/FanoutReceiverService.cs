using Azure.Messaging.ServiceBus;
using Gateway.Core.Hub;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Azure.ServiceBus;

/// <summary>
/// Feeds this instance's hub from its own subscription of the fan-out topic, so streams here see events that
/// any instance ingested.
/// </summary>
/// <remarks>
/// Receive-and-delete: no settlement round trip per event. A copy lost on the way (a connection dropped
/// mid-transfer, or prefetched messages discarded when the receiver closes) costs no event: the stream
/// sessions detect the gap at the channel's next offset and read the missing events from the log, and a
/// repeated copy is dropped because the session has passed its offset. The subscription dies with the
/// instance anyway, so peek-lock would buy nothing that the log does not already give.
/// </remarks>
public sealed partial class FanoutReceiverService(
    ServiceBusClient client,
    FanoutSubscription subscription,
    EventHub hub,
    IOptions<ServiceBusTransportOptions> options,
    ReceiverStatus status,
    TimeProvider time,
    ILogger<FanoutReceiverService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = new RetryBackoff(time);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await subscription.EnsureExistsAsync(stoppingToken);
                backoff.Reset();
                await ReceiveUntilSubscriptionGoneAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                status.Faulted(ReceiverStatus.Fanout, ex);
                LogSetupFailed(ex, subscription.Name, backoff.Next);
                if (!await backoff.WaitAsync(stoppingToken))
                {
                    return;
                }
            }
        }
    }

    private async Task ReceiveUntilSubscriptionGoneAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        await using var receiver = client.CreateReceiver(o.FanoutTopic, subscription.Name, new ServiceBusReceiverOptions { ReceiveMode = ServiceBusReceiveMode.ReceiveAndDelete });
        var backoff = new RetryBackoff(time);
        while (!stoppingToken.IsCancellationRequested)
        {
            IReadOnlyList<ServiceBusReceivedMessage> messages;
            try
            {
                messages = await receiver.ReceiveMessagesAsync(o.MaxBatchSize, o.ReceiveWaitTime, stoppingToken);
                status.Connected(ReceiverStatus.Fanout);
                backoff.Reset();
            }
            catch (ServiceBusException ex) when (ex.Reason == ServiceBusFailureReason.MessagingEntityNotFound && !subscription.IsFixed)
            {
                // Deleted while this instance was idle (auto-delete): create it again. Events in between are
                // read from the log by the streams' gap fill.
                status.Faulted(ReceiverStatus.Fanout, ex);
                LogSubscriptionGone(subscription.Name);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The client has already retried; keep the receiver (it reconnects) and try again later.
                status.Faulted(ReceiverStatus.Fanout, ex);
                LogReceiveFailed(ex, backoff.Next);
                if (!await backoff.WaitAsync(stoppingToken))
                {
                    return;
                }

                continue;
            }

            foreach (var message in messages)
            {
                if (FanoutMessage.TryRead(message, out var e))
                {
                    hub.Publish(e);
                }
                else
                {
                    LogMalformed(message.SequenceNumber);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Fan-out subscription {Subscription} could not be set up; retrying in {Delay}")]
    private partial void LogSetupFailed(Exception exception, string subscription, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fan-out subscription {Subscription} is gone (auto-deleted?); creating it again")]
    private partial void LogSubscriptionGone(string subscription);

    [LoggerMessage(Level = LogLevel.Error, Message = "Receiving fan-out events failed; retrying in {Delay}")]
    private partial void LogReceiveFailed(Exception exception, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored fan-out message {SequenceNumber}: it lacks the channel, epoch, offset or time properties")]
    private partial void LogMalformed(long sequenceNumber);
}
