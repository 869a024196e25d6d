using System.Diagnostics;
using System.Globalization;
using Azure.Messaging.ServiceBus;
using Gateway.Client.Producers;
using Gateway.Testing.ServiceBus;

namespace Gateway.ServiceBus.Tests.Chaos;

/// <summary>
/// Sends the run's events through the real Service Bus client, paced evenly over the production window (a batch of
/// whatever is due every 50 ms). Each message has a unique MessageId, its sequence number in the body and its
/// channel (<c>seq mod channels</c>) in the application property <c>channel</c>. A send that fails (the broker is
/// down) is retried with the same messages until it succeeds, as a careful producer would. Resends are counted per
/// message: a send that reached the broker but lost its answer arrives twice, and only the broker's duplicate
/// detection by MessageId (on in the run, as the infra sets it on <c>events</c>) keeps it to one.
/// </summary>
public sealed class ChaosProducer(ServiceBusSender sender, ChaosRunOptions options, ChaosTimeline timeline)
{
    private const int MaxBatch = 100;
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(250);

    private readonly int[] _attempts = new int[options.Events];
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];
    private int _sent;
    private int _resends;

    /// <summary>Events the broker has accepted.</summary>
    public int Sent => Volatile.Read(ref _sent);

    /// <summary>Sends retried after a failure (each counted per message in <see cref="Attempts"/>).</summary>
    public int Resends => Volatile.Read(ref _resends);

    /// <summary>How many times each sequence number was sent (more than 1: it was resent after a failed send).</summary>
    public IReadOnlyList<int> Attempts => _attempts;

    public static string Channel(int seq, int channels) => $"chaos-{seq % channels}";

    public static string Data(int seq) => $"{{\"seq\":{seq}}}";

    /// <summary>The sequence number in an event's data, or -1.</summary>
    public static int SeqOf(string data) =>
        data.StartsWith("{\"seq\":", StringComparison.Ordinal) && data.EndsWith('}')
        && int.TryParse(data.AsSpan(7, data.Length - 8), NumberStyles.None, CultureInfo.InvariantCulture, out var seq)
            ? seq
            : -1;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var next = 0;
        while (next < options.Events)
        {
            var due = (int)Math.Min(options.Events, Math.Ceiling(options.Events * (clock.Elapsed / options.ProduceFor)));
            var count = Math.Min(MaxBatch, due - next);
            if (count <= 0)
            {
                await Task.Delay(Tick, cancellationToken);
                continue;
            }

            await SendAsync(next, count, cancellationToken);
            next += count;
        }

        timeline.Add($"producer: all {options.Events} events accepted by the broker ({Resends} resends)");
    }

    private async Task SendAsync(int from, int count, CancellationToken cancellationToken)
    {
        var failures = 0;
        var failedAt = TimeSpan.Zero;
        while (true)
        {
            for (var seq = from; seq < from + count; seq++)
            {
                _attempts[seq]++;
            }

            try
            {
                await sender.SendMessagesAsync(Enumerable.Range(from, count).Select(Message), cancellationToken);
                Interlocked.Add(ref _sent, count);
                if (failures > 0)
                {
                    timeline.Add($"producer: send of {from}..{from + count - 1} succeeded after {failures} failures ({(timeline.Now - failedAt).TotalSeconds:0.0} s)");
                }

                return;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                if (failures++ == 0)
                {
                    failedAt = timeline.Now;
                    timeline.Add($"producer: send of {from}..{from + count - 1} failed ({ex.GetType().Name}: {FirstLine(ex.Message)}); retrying");
                }

                Interlocked.Add(ref _resends, count);
                await Task.Delay(RetryDelay, cancellationToken);
            }
        }
    }

    private ServiceBusMessage Message(int seq)
    {
        // A resend keeps its MessageId, so the topic's duplicate detection can drop it.
        return GatewayMessages.Create(Channel(seq, options.Channels), Data(seq), messageId: $"{_run}-{seq}");
    }

    private static string FirstLine(string text)
    {
        var end = text.IndexOfAny(['\r', '\n']);
        return end < 0 ? text : text[..end];
    }
}
