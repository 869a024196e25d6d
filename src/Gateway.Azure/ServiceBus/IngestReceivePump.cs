using System.Threading.Channels;
using Azure.Messaging.ServiceBus;

namespace Gateway.Azure.ServiceBus;

/// <summary>
/// Receives ingest messages one at a time on a task of its own into a bounded buffer; a batch is what the buffer holds
/// when ingest asks for the next one (up to <see cref="ServiceBusTransportOptions.MaxBatchSize"/>). So a lone event is
/// ingested as soon as it arrives, and under a backlog the messages that arrived while the previous batch was appended
/// go together.
/// </summary>
/// <remarks>
/// Why not one <c>ReceiveMessagesAsync(MaxBatchSize, …)</c> per batch: asked for more than one message, the client's
/// AMQP link completes the call only once it has them all, or a fixed 20 ms after the first one arrived (a constant of
/// the client, not an option), even when the rest are already in its prefetch buffer; a lone event waited those 20 ms.
/// Asked for one, the call completes as soon as one is there. Received messages hold locks that nothing renews until
/// their batch is taken: the buffer holds at most one batch, and with a prefetch the client holds at most that many
/// unsettled messages in all (<see cref="ServiceBusTransportOptions.IngestPrefetchCount"/>).
/// </remarks>
internal sealed class IngestReceivePump : IAsyncDisposable
{
    private readonly ServiceBusReceiver _receiver;
    private readonly Channel<ServiceBusReceivedMessage> _buffer;
    private readonly int _maxBatchSize;
    private readonly TimeSpan _receiveWaitTime;
    private readonly bool _endWhenIdle;
    private readonly Func<CancellationToken, Task> _readyToReceive;
    private readonly Action _received;
    private readonly Func<Exception, CancellationToken, Task<bool>> _receiveFailed;
    private readonly CancellationTokenSource _stop;
    private readonly Task _pumping;

    // A message received but not yet in the buffer (the buffer was full): handed back with the buffer's on stop.
    private ServiceBusReceivedMessage? _inHand;

    /// <param name="receiver">The ingest subscription's receiver, or a session's.</param>
    /// <param name="maxBatchSize">The most messages one batch takes, and the buffer holds.</param>
    /// <param name="receiveWaitTime">How long one receive waits for a message.</param>
    /// <param name="endWhenIdle">Stop receiving once a receive comes back empty (a session is then given back).</param>
    /// <param name="readyToReceive">Awaited before each receive (ingest takes nothing while the log is down).</param>
    /// <param name="received">After each receive that reached the broker, empty or not.</param>
    /// <param name="receiveFailed">After a failed receive: whether to keep receiving (it may wait its back-off first).</param>
    /// <param name="stoppingToken">Stops receiving.</param>
    public IngestReceivePump(
        ServiceBusReceiver receiver,
        int maxBatchSize,
        TimeSpan receiveWaitTime,
        bool endWhenIdle,
        Func<CancellationToken, Task> readyToReceive,
        Action received,
        Func<Exception, CancellationToken, Task<bool>> receiveFailed,
        CancellationToken stoppingToken)
    {
        _receiver = receiver;
        _maxBatchSize = maxBatchSize;
        _receiveWaitTime = receiveWaitTime;
        _endWhenIdle = endWhenIdle;
        _readyToReceive = readyToReceive;
        _received = received;
        _receiveFailed = receiveFailed;
        _buffer = Channel.CreateBounded<ServiceBusReceivedMessage>(new BoundedChannelOptions(maxBatchSize)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        _pumping = Task.Run(PumpAsync, CancellationToken.None);
    }

    /// <summary>
    /// Waits for a first message, then takes what else is buffered, without waiting for more.
    /// Null once receiving has ended (stopped, idle with <c>endWhenIdle</c>, or given up after a failure) and the buffer is empty.
    /// </summary>
    public async Task<IReadOnlyList<ServiceBusReceivedMessage>?> NextBatchAsync(CancellationToken cancellationToken)
    {
        var reader = _buffer.Reader;
        if (!await reader.WaitToReadAsync(cancellationToken))
        {
            return null;
        }

        var batch = new List<ServiceBusReceivedMessage>(Math.Min(reader.Count, _maxBatchSize));
        while (batch.Count < _maxBatchSize && reader.TryRead(out var message))
        {
            batch.Add(message);
        }

        return batch;
    }

    /// <summary>After <see cref="DisposeAsync"/>: the messages received that no batch took, to be given back.</summary>
    public IReadOnlyList<ServiceBusReceivedMessage> TakeUnbatched()
    {
        var left = new List<ServiceBusReceivedMessage>();
        if (_inHand is { } inHand)
        {
            left.Add(inHand);
            _inHand = null;
        }

        while (_buffer.Reader.TryRead(out var message))
        {
            left.Add(message);
        }

        return left;
    }

    /// <summary>Stops receiving and waits until the receive loop has ended.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _pumping;
        _stop.Dispose();
    }

    private async Task PumpAsync()
    {
        var stop = _stop.Token;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await _readyToReceive(stop);
                IReadOnlyList<ServiceBusReceivedMessage> messages;
                try
                {
                    messages = await _receiver.ReceiveMessagesAsync(1, _receiveWaitTime, stop);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    if (!await _receiveFailed(ex, stop))
                    {
                        return;
                    }

                    continue;
                }

                _received();
                if (messages.Count == 0 && _endWhenIdle)
                {
                    return;
                }

                foreach (var message in messages)
                {
                    _inHand = message;
                    await _buffer.Writer.WriteAsync(message, stop);
                    _inHand = null;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped while the buffer was full: the message in hand is handed back with the buffer's.
        }
        finally
        {
            _buffer.Writer.TryComplete();
        }
    }
}
