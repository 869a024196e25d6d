using System.Diagnostics;
using Azure.Messaging.ServiceBus;
using Gateway.Core.Bus;
using Gateway.Core.Events;
using Gateway.Core.Hub;
using Gateway.Core.Resilience;
using Gateway.Core.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Azure.ServiceBus;

/// <summary>
/// Feeds this instance's hub from its own subscription of the fan-out topic, so streams here see events that
/// any instance ingested.
/// </summary>
/// <remarks>
/// Peek-lock, each message completed once its event is in the hub. Receive-and-delete would save that round trip, but a
/// copy the client drops (a receive that times out just as a message arrives, a connection lost mid-transfer)
/// would then be gone, and a stream would notice only at the channel's next event (a gap it fills from the
/// log) — an idle channel's last event could wait indefinitely. With peek-lock such a copy comes back when its
/// lock lapses. Repeated copies are harmless: sessions drop offsets they have passed.
/// </remarks>
public sealed partial class FanoutReceiverService(
    ServiceBusClient client,
    FanoutSubscription subscription,
    EventHub hub,
    EventRules rules,
    GatewayMetrics metrics,
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
        // One message per receive call: asked for more, the client waits 20 ms after the first for the rest, a
        // delay every event would pay on its way to the streams. The prefetch buffer keeps the throughput.
        await using var receiver = client.CreateReceiver(o.FanoutTopic, subscription.Name, new ServiceBusReceiverOptions { ReceiveMode = ServiceBusReceiveMode.PeekLock, PrefetchCount = o.FanoutPrefetchCount });
        var completing = new List<Task>(o.FanoutPrefetchCount);
        var backoff = new RetryBackoff(time);
        while (!stoppingToken.IsCancellationRequested)
        {
            IReadOnlyList<ServiceBusReceivedMessage> messages;
            try
            {
                messages = await receiver.ReceiveMessagesAsync(1, o.ReceiveWaitTime, stoppingToken);
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
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // The client has already retried (a cancellation that is not the stop is its own timeout); keep the
                // receiver (it reconnects) and try again later.
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
                if (FanoutMessage.TryRead(message, rules, out var e, out var problem))
                {
                    PublishToHub(e, message);
                    completing.Add(CompleteAsync(receiver, message));
                }
                else
                {
                    // Not what a gateway writes: keep it for inspection, out of every stream's way.
                    metrics.MessageRejected(FanoutMessage.InvalidFanoutMessage);
                    LogMalformed(message.SequenceNumber, problem);
                    completing.Add(DeadLetterAsync(receiver, message, problem));
                }
            }

            // Completions overlap with the next receives; waiting for them now and then bounds how many are in flight.
            if (completing.Count >= o.FanoutPrefetchCount || messages.Count == 0)
            {
                await Task.WhenAll(completing);
                completing.Clear();
            }
        }
    }

    /// <summary>
    /// Hands the event to this instance's streams. While tracing, inside a span that continues the event's trace (the
    /// fan-out copy carries it), which the streams then link to: one span per event per instance, none per delivery.
    /// </summary>
    private void PublishToHub(ChannelEvent e, ServiceBusReceivedMessage message)
    {
        if (!GatewayTracing.Source.HasListeners())
        {
            hub.Publish(e);
            return;
        }

        using var activity = GatewayTracing.Source.StartActivity(GatewayTracing.FanoutReceive, ActivityKind.Consumer, MessageTraceContext.Read(message.ApplicationProperties));
        activity?.SetTag("messaging.destination.subscription.name", subscription.Name);
        activity?.SetTag("gateway.channel", e.Channel);
        activity?.SetTag("gateway.event.id", e.Id);
        activity?.SetTag("gateway.streams", hub.SubscriberCountOf(e.Channel));
        hub.Publish(activity is null ? e : e.WithTrace(activity.Context));
    }

    private async Task CompleteAsync(ServiceBusReceiver receiver, ServiceBusReceivedMessage message)
    {
        try
        {
            await receiver.CompleteMessageAsync(message, CancellationToken.None);
        }
        catch (Exception ex)
        {
            // The copy comes back when its lock lapses; the streams drop it as already passed.
            LogCompleteFailed(ex, message.SequenceNumber);
        }
    }

    private async Task DeadLetterAsync(ServiceBusReceiver receiver, ServiceBusReceivedMessage message, string problem)
    {
        try
        {
            await receiver.DeadLetterMessageAsync(message, FanoutMessage.InvalidFanoutMessage, problem, CancellationToken.None);
        }
        catch (Exception ex)
        {
            // It comes back when its lock lapses and is refused again.
            LogCompleteFailed(ex, message.SequenceNumber);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Fan-out subscription {Subscription} could not be set up; retrying in {Delay}")]
    private partial void LogSetupFailed(Exception exception, string subscription, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fan-out subscription {Subscription} is gone (auto-deleted?); creating it again")]
    private partial void LogSubscriptionGone(string subscription);

    [LoggerMessage(Level = LogLevel.Error, Message = "Receiving fan-out events failed; retrying in {Delay}")]
    private partial void LogReceiveFailed(Exception exception, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not settle fan-out message {SequenceNumber}; it will come again")]
    private partial void LogCompleteFailed(Exception exception, long sequenceNumber);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead-lettered fan-out message {SequenceNumber}: {Problem} Only gateways may send to the fan-out topic")]
    private partial void LogMalformed(long sequenceNumber, string problem);
}
