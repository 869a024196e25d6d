namespace Gateway.Azure.ServiceBus;

/// <summary>
/// How far one ingest batch has gone, as the next batch waits for it: its append may begin once this one's
/// <see cref="Appended"/> has completed, its fan-out once this one's <see cref="FannedOut"/> has. Both complete whether
/// the step succeeded or the batch was given back; neither ever fails.
/// </summary>
internal sealed class IngestBatchProgress
{
    private readonly TaskCompletionSource _appended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _fannedOut = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private IngestBatchProgress()
    {
        Settled = Task.FromResult(true);
    }

    /// <summary>A batch that has gone all the way: what the first batch waits for.</summary>
    public static IngestBatchProgress None { get; } = Finished();

    /// <summary>The batch is in the log, or was given back.</summary>
    public Task Appended => _appended.Task;

    /// <summary>
    /// The batch's fan-out has ended (sent, or given up with the batch) or it had nothing to fan out, and every earlier
    /// batch's fan-out has ended too.
    /// </summary>
    public Task FannedOut => _fannedOut.Task;

    /// <summary>True once every message of the batch was settled; false when some were given back or could not be settled.</summary>
    public Task<bool> Settled { get; private set; }

    /// <summary>Starts <paramref name="ingest"/>, which reports its steps on the progress it is given.</summary>
    public static IngestBatchProgress Start(Func<IngestBatchProgress, Task<bool>> ingest)
    {
        var progress = new IngestBatchProgress();
        progress.Settled = ingest(progress);
        return progress;
    }

    public void AppendEnded() => _appended.TrySetResult();

    /// <summary>The batch's fan-out has ended, and so has every earlier batch's.</summary>
    public void FanOutEnded()
    {
        _appended.TrySetResult();
        _fannedOut.TrySetResult();
    }

    private static IngestBatchProgress Finished()
    {
        var progress = new IngestBatchProgress();
        progress.FanOutEnded();
        return progress;
    }
}
