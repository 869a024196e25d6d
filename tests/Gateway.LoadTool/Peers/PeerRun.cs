using System.Diagnostics;
using System.Globalization;

namespace Gateway.LoadTool.Peers;

/// <summary>
/// A peer run (<c>--Mode peer</c>): drives any SSE server from a subscribe and a publish URL template. It warms the
/// server up with a few streams, reads its memory, starts the receiving workers (<see cref="PeerWorker"/>) and waits
/// until their streams are open, reads the memory again (idle streams), publishes the warm-up events and waits until
/// every stream has them, then publishes the measured events and waits until every stream has the last one (or the
/// drain time passes). Server CPU (user and kernel), the server's context switches and the tool's CPU are read from
/// <c>/proc</c> around that measured window.
/// </summary>
internal sealed class PeerRun(LoadOptions options, string[] arguments)
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan WarmTimeout = TimeSpan.FromSeconds(60);

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var plan = PeerPlan.From(options);
        var loadAverage = File.ReadAllText("/proc/loadavg").Split(' ')[..3];
        var server = options.ServerPid is { } pid ? new ProcessTree(pid) : null;
        var tool = new ProcessTree(Environment.ProcessId);
        await using var memory = server is null ? null : new MemorySampler(server);
        using var publisher = new PeerPublisher(plan);

        Console.WriteLine($"[{options.Label}] subscribe {plan.SubscribeUrl}, publish {plan.PublishUrl}, channels {plan.Channel(0)}…; server pid {options.ServerPid?.ToString(CultureInfo.InvariantCulture) ?? "not given"}");
        await PrewarmAsync(plan, cancellationToken);
        var baseline = await MemoryAsync(server, cancellationToken);

        var workers = new List<WorkerProcess>();
        try
        {
            for (var i = 0; i < plan.Workers; i++)
            {
                workers.Add(WorkerProcess.Start(WorkerArguments(plan, i), i));
            }

            var ready = await Task.WhenAll(workers.Select(w => w.WaitAsync(WorkerMessage.Ready, TimeSpan.FromSeconds(options.TimeoutSeconds), cancellationToken)));
            if (Array.IndexOf(ready, null) is var late and >= 0)
            {
                throw new InvalidOperationException($"Worker {late} had not opened its streams within {options.TimeoutSeconds} s.");
            }

            var opened = ready.Sum(r => r?.Opened ?? 0);
            var failed = ready.Sum(r => r?.Failed ?? 0);
            Console.WriteLine($"[{options.Label}] {opened} streams open, {failed} failed");

            await Task.Delay(Settle, cancellationToken);
            var idle = await MemoryAsync(server, cancellationToken);

            await publisher.PublishAsync(0, plan.WarmupEvents, cancellationToken);
            var warm = await Task.WhenAll(workers.Select(w => w.WaitAsync(WorkerMessage.Warm, WarmTimeout, cancellationToken)));

            // The collections in the window, read without collecting: a pause stops every stream of the server at once.
            var gcBefore = options.GcProbeDir is { } probe ? await GcProbe.CountsAsync(probe, cancellationToken) : null;
            var serverCpuBefore = server?.UserAndSystemSeconds();
            var serverSwitchesBefore = server?.Switches();
            var toolCpuBefore = tool.CpuSeconds();
            var receiversBefore = workers.Select(w => ProcessTree.CpuSecondsOf(w.Pid)).ToArray();
            var machineBefore = ProcessTree.MachineBusySeconds();
            var windowStart = Stopwatch.GetTimestamp();
            var published = await publisher.PublishAsync(plan.WarmupEvents, plan.TotalEvents, cancellationToken);
            await Task.WhenAll(workers.Select(w => w.WaitAsync(WorkerMessage.Done, TimeSpan.FromSeconds(options.DrainSeconds), cancellationToken)));
            var window = Stopwatch.GetElapsedTime(windowStart).TotalSeconds;
            var serverCpu = server?.UserAndSystemSeconds() - serverCpuBefore;
            var serverSwitches = server?.Switches().Since(serverSwitchesBefore!);
            var toolCpu = tool.CpuSeconds() - toolCpuBefore;
            var cpu = new WindowCpu(
                window,
                serverCpu?.Total,
                toolCpu,
                [.. workers.Select((w, i) => ProcessTree.CpuSecondsOf(w.Pid) - receiversBefore[i])],
                ProcessTree.MachineBusySeconds() - machineBefore)
            {
                ServerSystem = serverCpu?.System,
                ServerSwitches = serverSwitches,
            };

            var gcInWindow = gcBefore is not null ? (await GcProbe.CountsAsync(options.GcProbeDir!, cancellationToken)).Since(gcBefore) : null;

            var results = await Task.WhenAll(workers.Select(w => w.ResultAsync(TimeSpan.FromSeconds(60), cancellationToken)));
            var report = Report(plan, loadAverage, opened, failed, ready, warm.All(w => w is not null), results, published, cpu, gcInWindow, baseline, idle, memory);
            Console.Write(report.Summary());
            var json = report.ToJsonLine();
            Console.WriteLine(json);
            if (options.JsonOut is { } file)
            {
                await File.AppendAllTextAsync(file, json + Environment.NewLine, cancellationToken);
            }

            return failed == 0 && report.Lost == 0 && report.Duplicated == 0 && report.OutOfOrder == 0 ? 0 : 1;
        }
        finally
        {
            foreach (var worker in workers)
            {
                await worker.DisposeAsync();
            }
        }
    }

    /// <summary>JIT, pools and the publish path off the figures: a few streams on a channel of their own get a few events.</summary>
    private async Task PrewarmAsync(PeerPlan plan, CancellationToken cancellationToken)
    {
        var prewarm = plan with { RunId = plan.RunId + "w", Streams = 10, Channels = 1, WarmupEvents = 1, Events = 9, Workers = 1, Rate = 100 };
        await using var group = new ReceiverGroup(prewarm);
        await group.OpenAsync(prewarm.StreamsOf(0), 10, cancellationToken);
        using var publisher = new PeerPublisher(prewarm);
        var published = await publisher.PublishAsync(0, prewarm.TotalEvents, cancellationToken);
        if (group.Failed > 0 || published.Failed > 0)
        {
            throw new InvalidOperationException($"Warm-up: {group.Failed} streams failed ({group.FirstError}), {published.Failed} publishes failed ({published.FirstError}).");
        }

        await group.Done.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        await group.StopAsync();
    }

    private async Task<(long? Rss, GcProbe? Gc)> MemoryAsync(ProcessTree? server, CancellationToken cancellationToken)
    {
        // The probe's full collection comes first: the GC may hand memory back, which the resident set then shows.
        var gc = options.GcProbeDir is { } directory ? await GcProbe.RequestAsync(directory, cancellationToken) : null;
        return (server?.Memory().Rss, gc);
    }

    private IEnumerable<string> WorkerArguments(PeerPlan plan, int index) =>
    [
        .. arguments,
        "--Mode", "peer-worker",
        "--WorkerIndex", index.ToString(CultureInfo.InvariantCulture),
        "--Workers", plan.Workers.ToString(CultureInfo.InvariantCulture),
        "--RunId", plan.RunId,
    ];

    private PeerReport Report(
        PeerPlan plan, string[] loadAverage, int opened, int failed, WorkerMessage?[] ready, bool warmedUp, ReceiverResult[] results,
        PublishFigures published, WindowCpu cpu, GcCounts? gcInWindow,
        (long? Rss, GcProbe? Gc) baseline, (long? Rss, GcProbe? Gc) idle, MemorySampler? memory)
    {
        var (window, serverCpu, toolCpu) = (cpu.Seconds, cpu.Server, cpu.Tool);
        var latency = Merge(results.Select(r => r.Latency));
        var early = Merge(results.Select(r => r.Early));
        var late = Merge(results.Select(r => r.Late));
        var fromSchedule = Merge(results.Select(r => r.FromSchedule));
        var lastReceive = results.Max(r => r.LastReceive);
        var deliverySeconds = lastReceive > published.Start ? Stopwatch.GetElapsedTime(published.Start, lastReceive).TotalSeconds : double.NaN;
        var deliveries = results.Sum(r => r.Deliveries);
        var cores = Environment.ProcessorCount;
        var serverCores = serverCpu / window;
        var toolCores = toolCpu / window;
        var lagP99 = published.Lag.Percentile(99);

        var notes = new List<string>();
        var verdict = ToolVerdict.Judge(plan, cpu, published, cores);
        var toolBound = verdict.Bottleneck;
        notes.AddRange(verdict.Notes);

        if (late.Percentile(50) > 2 * early.Percentile(50) && late.Percentile(50) > 10)
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture, $"the receive lag grew during the run (p50 {early.Percentile(50):0.0} → {late.Percentile(50):0.0} ms): someone (server or tool) could not keep up"));
        }

        if (double.Parse(loadAverage[0], CultureInfo.InvariantCulture) > cores)
        {
            notes.Add($"the machine was loaded before the run (load average {string.Join(' ', loadAverage)} on {cores} cores): figures are indicative only");
        }

        if (idle.Gc is null && options.GcProbeDir is null)
        {
            notes.Add("idle memory is the resident set without a forced collection (no GC probe for this server)");
        }

        return new PeerReport
        {
            Label = options.Label,
            Date = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            Cores = cores,
            LoadAverage = string.Join(' ', loadAverage),
            Streams = plan.Streams,
            Channels = plan.Channels,
            Rate = plan.Rate,
            EventsPerChannel = plan.Events,
            WarmupEventsPerChannel = plan.WarmupEvents,
            PayloadBytes = plan.PayloadBytes,
            Workers = plan.Workers,
            Opened = opened,
            ConnectFailures = failed,
            FirstConnectError = ready.Select(r => r?.FirstError).FirstOrDefault(e => e is not null),
            EndedEarly = results.Sum(r => r.EndedEarly),
            FirstEndReason = results.Select(r => r.FirstEndReason).FirstOrDefault(e => e is not null),
            WarmedUp = warmedUp,
            ExpectedDeliveries = (long)opened * plan.Events,
            Deliveries = deliveries,
            Lost = results.Sum(r => r.Lost),
            StreamsWithLoss = results.Sum(r => r.StreamsWithLoss),
            Duplicated = results.Sum(r => r.Duplicated),
            OutOfOrder = results.Sum(r => r.OutOfOrder),
            P50 = latency.Percentile(50),
            P90 = latency.Percentile(90),
            P99 = latency.Percentile(99),
            Max = latency.MaxMilliseconds,
            ScheduledP50 = fromSchedule.Percentile(50),
            ScheduledP99 = fromSchedule.Percentile(99),
            EarlyP50 = early.Percentile(50),
            LateP50 = late.Percentile(50),
            DeliveriesPerSecond = deliveries / deliverySeconds,
            WindowSeconds = window,
            PublishFailures = published.Failed,
            FirstPublishError = published.FirstError,
            PublishLagP99 = lagP99,
            ServerPid = options.ServerPid,
            ServerPeakRss = memory?.PeakRss,
            ServerPeakPss = memory?.PeakPss,
            ServerCpuSeconds = serverCpu,
            ServerCores = serverCores,
            ServerCpuMicrosecondsPerDelivery = serverCpu * 1e6 / deliveries,
            ServerUserMicrosecondsPerDelivery = (serverCpu - cpu.ServerSystem) * 1e6 / deliveries,
            ServerSystemMicrosecondsPerDelivery = cpu.ServerSystem * 1e6 / deliveries,
            ServerVoluntarySwitchesPerThousandDeliveries = cpu.ServerSwitches?.Voluntary * 1000.0 / deliveries,
            ServerInvoluntarySwitchesPerThousandDeliveries = cpu.ServerSwitches?.Involuntary * 1000.0 / deliveries,
            BaselineRss = baseline.Rss,
            IdleRss = idle.Rss,
            IdleBytesPerStream = idle.Rss - baseline.Rss is { } grown && opened > 0 ? (double)grown / opened : null,
            GcForced = idle.Gc is not null,
            IdleGcHeap = idle.Gc?.HeapBytes,
            ServerGcCollections = gcInWindow is null ? null : [gcInWindow.Gen0, gcInWindow.Gen1, gcInWindow.Gen2],
            ServerGcPauseMilliseconds = gcInWindow?.PauseMilliseconds,
            ToolCpuSeconds = toolCpu,
            ToolCores = toolCores,
            ToolMicrosecondsPerDelivery = toolCpu * 1e6 / deliveries,
            ReceiverCores = [.. cpu.Receivers.Select(r => r / window)],
            MachineBusyCores = cpu.Machine / window,
            PublishAnswerP99 = published.Answers.Percentile(99),
            Client = plan.Client,
            ToolBottleneck = toolBound,
            Notes = notes,
        };

        static LatencyHistogram Merge(IEnumerable<string> serialized)
        {
            var merged = new LatencyHistogram();
            foreach (var text in serialized)
            {
                merged.Merge(LatencyHistogram.Deserialize(text));
            }

            return merged;
        }
    }
}
