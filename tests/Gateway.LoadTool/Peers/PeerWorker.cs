namespace Gateway.LoadTool.Peers;

/// <summary>
/// The receiving side of a peer run in its own process (<c>--Mode peer-worker</c>, started by <see cref="PeerRun"/>):
/// opens its share of the streams, reports milestones on stdout and its result after <c>stop</c> on stdin.
/// </summary>
internal static class PeerWorker
{
    private static readonly Lock Output = new();

    public static async Task<int> RunAsync(LoadOptions options, CancellationToken cancellationToken)
    {
        var plan = PeerPlan.From(options);
        await using var group = new ReceiverGroup(plan);
        await group.OpenAsync(plan.StreamsOf(options.WorkerIndex), options.OpenConcurrency, cancellationToken);
        Send(new WorkerMessage(WorkerMessage.Ready, group.Opened, group.Failed, group.FirstError));
        _ = group.Warm.ContinueWith(_ => Send(new WorkerMessage(WorkerMessage.Warm)), TaskScheduler.Default);
        _ = group.Done.ContinueWith(_ => Send(new WorkerMessage(WorkerMessage.Done)), TaskScheduler.Default);

        // The coordinator says stop (or goes away: end of stdin).
        while (await Console.In.ReadLineAsync(cancellationToken) is { } line && line != WorkerMessage.Stop)
        {
        }

        var result = await group.StopAsync();
        Send(new WorkerMessage(WorkerMessage.ResultType, Result: result));
        return 0;
    }

    private static void Send(WorkerMessage message)
    {
        lock (Output)
        {
            Console.Out.WriteLine(message.ToLine());
            Console.Out.Flush();
        }
    }
}
