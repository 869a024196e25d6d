using Gateway.LoadTool;
using Gateway.LoadTool.Peers;

if (args.Any(a => a is "--help" or "-h"))
{
    Console.WriteLine(LoadOptions.Usage);
    return 0;
}

LoadOptions options;
try
{
    options = LoadOptions.Parse(args);
}
catch (Exception error) when (error is ArgumentException or FormatException or InvalidOperationException)
{
    Console.Error.WriteLine(error.Message);
    Console.Error.WriteLine(LoadOptions.Usage);
    return 2;
}

// Each stream is a socket here and one in the server; without enough descriptors the run would measure failures.
// A peer run's streams are spread over its worker processes, which inherit this limit.
var fileLimit = ProcessMemory.OpenFileLimit();
var workers = options.IsPeer ? (options.Workers > 0 ? options.Workers : PeerPlan.AutoWorkers(options.Streams)) : 1;
var streamsHere = (options.Streams + workers - 1) / workers;
if (fileLimit < streamsHere + 256)
{
    Console.Error.WriteLine($"The open-file limit is {fileLimit}; {options.Streams} streams need more: raise it with 'ulimit -n {options.Streams * 2 + 1024}'.");
    return 2;
}

// Bounded: the whole run stops after --TimeoutSeconds, or at Ctrl+C.
using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(options.TimeoutSeconds));
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    timeout.Cancel();
};

try
{
    if (options.Mode == "peer")
    {
        return await new PeerRun(options, args).RunAsync(timeout.Token);
    }

    if (options.Mode == "peer-worker")
    {
        return await PeerWorker.RunAsync(options, timeout.Token);
    }

    if (options.Mode == "reconnect")
    {
        return await new ReconnectStorm(options).RunAsync(timeout.Token);
    }

    await using var server = options.Url is null ? await ServerProcess.StartAsync(options.ServerGc, timeout.Token) : null;
    var baseAddress = options.Url ?? server!.BaseAddress;
    return await new LoadRun(options, baseAddress, server, server?.Pid ?? options.ServerPid).RunAsync(timeout.Token);
}
catch (OperationCanceledException) when (timeout.IsCancellationRequested)
{
    Console.Error.WriteLine($"Stopped: the run exceeded {options.TimeoutSeconds} s or was interrupted.");
    return 1;
}
