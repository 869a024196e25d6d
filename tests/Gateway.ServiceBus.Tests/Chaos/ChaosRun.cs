using System.Diagnostics;
using System.Text;
using Gateway.Testing;
using Gateway.Testing.ServiceBus;

namespace Gateway.ServiceBus.Tests.Chaos;

/// <summary>
/// One run's phases: clients connect; the producer sends while the faults happen; the ingest drains; the clients
/// catch up to their channel's final head; then the verdict, read while Azurite still runs. A phase that fails or
/// runs out of time is recorded and the verdict still says what was lost, doubled or reordered.
/// </summary>
public sealed class ChaosRun(
    ChaosRunOptions options,
    IReadOnlyList<ChaosFault> schedule,
    ChaosTimeline timeline,
    IReadOnlyList<ChaosClient> clients,
    ChaosProducer producer,
    ChaosFaults faults,
    ChaosLogReader log,
    BusEnvironment bus,
    ChaosGateways gateways)
{
    private static readonly TimeSpan Linger = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Settled = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan VerdictReadTimeout = TimeSpan.FromSeconds(60);

    private readonly Stopwatch _duration = new();
    private readonly List<string> _failures = [];
    private ChaosVerdict? _verdict;

    public bool Passed => _failures.Count == 0 && _verdict is { Problems.Count: 0 };

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        _duration.Start();
        using var stopClients = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var stopProgress = new CancellationTokenSource();
        var clientTasks = clients.Select(c => Task.Run(() => c.RunAsync(stopClients.Token), CancellationToken.None)).ToList();
        var progress = ProgressAsync(stopProgress.Token);
        var phase = "clients connecting";
        try
        {
            await Waits.UntilAsync(() => clients.All(c => c.Connections > 0), Waits.ProcessStartup, "every client's first stream").WaitAsync(cancellationToken);
            timeline.Add($"all {clients.Count} clients connected; producer starts");

            phase = "producing under faults";
            var start = timeline.Now;
            await Task.WhenAll(producer.RunAsync(cancellationToken), faults.RunAsync(schedule, start, cancellationToken));
            timeline.Add($"all {schedule.Count} faults done, every target back");

            phase = "ingest draining";
            var heads = await DrainAsync(cancellationToken);
            timeline.Add($"ingest drained: {heads.Values.Sum()} events in the logs");

            phase = "clients catching up";
            await CatchUpAsync(heads, cancellationToken);
            timeline.Add($"every client reached its channel's head; lingering {Linger.TotalSeconds:0} s for late doubles");
            await Task.Delay(Linger, cancellationToken);
        }
        catch (Exception ex)
        {
            Failed(ex, cancellationToken.IsCancellationRequested, phase);
        }
        finally
        {
            _duration.Stop();
            await stopClients.CancelAsync();
            await Task.WhenAll(clientTasks).WaitAsync(Waits.Shutdown);
            await stopProgress.CancelAsync();
            await progress;
        }

        await JudgeAsync();
    }

    /// <summary>Records a failure outside the verdict (a phase that threw or ran out of time).</summary>
    public void Failed(Exception ex, bool timedOut, string? phase = null)
    {
        var what = timedOut ? $"the run did not finish within {options.Timeout.TotalMinutes:0.#} min" : $"{ex.GetType().Name}: {ex.Message}";
        _failures.Add(phase is null ? what : $"{phase}: {what}");
        timeline.Add($"RUN FAILED{(phase is null ? "" : $" while {phase}")}: {what}");
        if (!timedOut)
        {
            timeline.Detail(ex.ToString());
        }

        for (var i = 0; i < 2; i++)
        {
            timeline.Detail($"instance {ChaosGateways.Name(i)} output tail:\n{gateways.Output(i)}");
        }
    }

    public string Figures()
    {
        var connections = clients.Sum(c => c.Connections);
        return $"""
            Figures: {_duration.Elapsed.TotalSeconds:0.0} s; {producer.Sent}/{options.Events} events sent ({producer.Resends} resends);
              {_verdict?.Delivered ?? 0} events delivered to {clients.Count} clients; {connections} streams opened ({connections - clients.Count} reconnects),
              {clients.Sum(c => c.Broken)} broken off, {clients.Sum(c => c.Failures)} connection attempts failed, {clients.Sum(c => c.Stalls)} stalled, {clients.Sum(c => c.LateStarts)} restarted from the beginning (opened without an id past offset 1);
              {faults.Done}/{schedule.Count} faults ({options.InstanceKills} kills, {options.AzuriteRestarts} Azurite, {options.BrokerRestarts} broker); seed {options.Seed}
            """;
    }

    public string Report() =>
        string.Join('\n', _failures.Select(f => "RUN: " + f).Append(_verdict?.Report() ?? "no verdict"));

    /// <summary>
    /// Waits until the ingest subscription is empty and the logs hold at least every event sent, or until the
    /// subscription has stayed empty with the logs unchanged for <see cref="Settled"/> (events lost or
    /// dead-lettered: the verdict says which); returns each channel's head.
    /// </summary>
    private async Task<Dictionary<string, long>> DrainAsync(CancellationToken cancellationToken)
    {
        var channels = Channels();
        var settled = Stopwatch.StartNew();
        long last = -1;
        while (true)
        {
            if (bus.Broker.ActiveMessageCount(BusEnvironment.Topic, BusEnvironment.Subscription) == 0)
            {
                var heads = await HeadsAsync(channels, cancellationToken);
                var committed = heads?.Values.Sum() ?? -1;
                if (heads is not null && committed >= options.Events)
                {
                    return heads;
                }

                if (committed != last)
                {
                    last = committed;
                    settled.Restart();
                }
                else if (heads is not null && settled.Elapsed > Settled)
                {
                    var deadLetters = bus.Broker.DeadLetters(BusEnvironment.Topic, BusEnvironment.Subscription).Count;
                    _failures.Add($"the ingest subscription is empty but the logs hold {committed} of {options.Events} events ({deadLetters} dead-lettered)");
                    timeline.Add($"ingest drained short: {committed} of {options.Events} events in the logs, {deadLetters} dead-lettered");
                    return heads;
                }
            }
            else
            {
                last = -1;
            }

            await Task.Delay(200, cancellationToken);
        }
    }

    private async Task CatchUpAsync(Dictionary<string, long> heads, CancellationToken cancellationToken)
    {
        while (!clients.All(c => c.LastOffset >= heads[c.Channel]))
        {
            await Task.Delay(100, cancellationToken);
        }
    }

    private async Task JudgeAsync()
    {
        using var timeout = new CancellationTokenSource(VerdictReadTimeout);
        try
        {
            var logs = new Dictionary<string, List<ChaosLogRow>>();
            foreach (var channel in Channels())
            {
                logs[channel] = await log.ReadAsync(channel, timeout.Token);
            }

            _verdict = ChaosVerdict.Judge(options, producer.Attempts, logs, [.. clients.Select(c => c.Receiver)], timeline);
            var deadLetters = bus.Broker.DeadLetters(BusEnvironment.Topic, BusEnvironment.Subscription);
            if (deadLetters.Count > 0)
            {
                _failures.Add($"{deadLetters.Count} messages dead-lettered by the ingest: " +
                    string.Join("; ", deadLetters.Take(10).Select(m => $"{m.ApplicationProperties.GetValueOrDefault("channel")} {Encoding.UTF8.GetString(m.Body.Span)} (sequence number {m.SequenceNumber}, {m.DeliveryCount} deliveries): {m.DeadLetterReason}: {m.DeadLetterErrorDescription}")));
            }
        }
        catch (Exception ex)
        {
            _failures.Add($"reading the logs for the verdict: {ex.GetType().Name}: {ex.Message}");
        }
    }

    private async Task ProgressAsync(CancellationToken cancellationToken)
    {
        var channels = Channels();
        try
        {
            while (true)
            {
                await Task.Delay(ProgressEvery, cancellationToken);
                Dictionary<string, long>? heads = null;
                try
                {
                    heads = await HeadsAsync(channels, cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Azurite is down: no figure this time.
                }

                var offsets = clients.Select(c => c.LastOffset).ToList();
                timeline.Add(
                    $"progress: sent {producer.Sent}/{options.Events}, committed {heads?.Values.Sum().ToString() ?? "?"}, " +
                    $"ingest backlog {bus.Broker.ActiveMessageCount(BusEnvironment.Topic, BusEnvironment.Subscription)}, " +
                    $"client offsets min {offsets.Min()} avg {offsets.Average():0} max {offsets.Max()}, streams {clients.Sum(c => c.Connections)}, " +
                    $"broken {clients.Sum(c => c.Broken)}, failed {clients.Sum(c => c.Failures)}, " +
                    $"instances {(gateways.IsUp(0) ? "A" : "-")}{(gateways.IsUp(1) ? "B" : "-")}, faults {faults.Done}/{schedule.Count}");
            }
        }
        catch (OperationCanceledException)
        {
            // The run is over.
        }
    }

    private List<string> Channels() => Enumerable.Range(0, options.Channels).Select(c => ChaosProducer.Channel(c, options.Channels)).ToList();

    /// <summary>Every channel's head (0 where its log does not exist yet); null if Azurite cannot answer.</summary>
    private async Task<Dictionary<string, long>?> HeadsAsync(List<string> channels, CancellationToken cancellationToken)
    {
        var heads = new Dictionary<string, long>();
        try
        {
            foreach (var channel in channels)
            {
                heads[channel] = (await log.HeadAsync(channel, cancellationToken))?.Offset ?? 0;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return null;
        }

        return heads;
    }
}
