using System.Diagnostics;
using System.Reflection;

namespace Gateway.LoadTool.Peers;

/// <summary>The coordinator's handle on one receiving worker: this same tool started again with <c>--Mode peer-worker</c>.</summary>
internal sealed class WorkerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Dictionary<string, TaskCompletionSource<WorkerMessage>> _milestones = [];
    private readonly int _index;

    private WorkerProcess(Process process, int index)
    {
        _process = process;
        _index = index;
    }

    public int Pid => _process.Id;

    public static WorkerProcess Start(IEnumerable<string> arguments, int index)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false,
            UseShellExecute = false,
        };

        // Run through 'dotnet Gateway.LoadTool.dll' or the app host alike.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("The worker process did not start.");
        var worker = new WorkerProcess(process, index);
        process.OutputDataReceived += (_, e) => worker.OnLine(e.Data);
        process.BeginOutputReadLine();
        return worker;
    }

    /// <summary>The worker's message of <paramref name="type"/> (each is sent once); null when <paramref name="timeout"/> passes first.</summary>
    public async Task<WorkerMessage?> WaitAsync(string type, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            return await Milestone(type).Task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    /// <summary>Tells the worker to stop and returns its result.</summary>
    public async Task<ReceiverResult> ResultAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        await _process.StandardInput.WriteLineAsync(WorkerMessage.Stop.AsMemory(), cancellationToken);
        await _process.StandardInput.FlushAsync(cancellationToken);
        var message = await Milestone(WorkerMessage.ResultType).Task.WaitAsync(timeout, cancellationToken);
        return message.Result ?? throw new InvalidOperationException($"Worker {_index} sent a result without figures.");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.StandardInput.Close();
            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(exit.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
    }

    private TaskCompletionSource<WorkerMessage> Milestone(string type)
    {
        lock (_milestones)
        {
            if (!_milestones.TryGetValue(type, out var milestone))
            {
                milestone = new TaskCompletionSource<WorkerMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
                _milestones[type] = milestone;
            }

            return milestone;
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            // Exited: whatever has not come will not.
            lock (_milestones)
            {
                foreach (var type in new[] { WorkerMessage.Ready, WorkerMessage.Warm, WorkerMessage.Done, WorkerMessage.ResultType })
                {
                    Milestone(type).TrySetException(new InvalidOperationException($"Worker {_index} exited before '{type}'."));
                }
            }
        }
        else if (WorkerMessage.TryParse(line) is { } message)
        {
            Milestone(message.Type).TrySetResult(message);
        }
        else
        {
            Console.Error.WriteLine($"[worker {_index}] {line}");
        }
    }
}
