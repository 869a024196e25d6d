using System.Diagnostics;
using Gateway.Testing.Http;
using Gateway.Testing.Processes;

namespace Gateway.LoadTool;

/// <summary>
/// <c>--Mode reconnect</c>: opens the streams on a child server, restarts it (SIGINT, or SIGKILL with <c>--Restart kill</c>;
/// then a new server on the same port), lets every client honour the <c>retry:</c> in effect when its stream broke (the
/// final one after a graceful stop, the opening one after a kill), and prints a histogram of reconnect attempts per
/// 100 ms from the moment the stop began. Run it with <c>--ReconnectSpread 00:00:00</c> for the old behaviour (every
/// client the same retry) and without for the default spread.
/// </summary>
internal sealed class ReconnectStorm(LoadOptions options)
{
    private static readonly TimeSpan Bucket = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var settings = new List<(string, string)> { ("Gateway:Stream:MaxDuration", "01:00:00") };
        if (options.ReconnectSpread is { } spread)
        {
            settings.Add(("Gateway:Stream:ReconnectSpread", spread));
        }

        var start = new GatewayServerProcessOptions { Settings = settings };
        var server = await GatewayServerProcess.StartAsync(start, cancellationToken);
        try
        {
            using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, PooledConnectionLifetime = Timeout.InfiniteTimeSpan, ConnectTimeout = TimeSpan.FromSeconds(10) };
            using var client = new HttpClient(handler) { BaseAddress = server.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
            var clock = new Stopwatch();
            var clients = Enumerable.Range(0, options.Streams).Select(_ => new ReconnectClient(client, GatewayHttp.StreamPath(options.Channel), clock)).ToList();
            var running = new List<Task>(clients.Count);
            foreach (var batch in clients.Chunk(options.OpenConcurrency))
            {
                running.AddRange(batch.Select(c => c.RunAsync(cancellationToken)));
                await Task.WhenAll(batch.Select(c => c.Opened)).WaitAsync(cancellationToken);
            }

            var kill = options.Restart == "kill";
            Console.WriteLine($"Reconnect storm: {clients.Count} streams open on {server.BaseAddress} (ReconnectSpread {options.ReconnectSpread ?? "default"}); {(kill ? "killing" : "restarting")} the server.");
            clock.Start();
            var graceful = !kill && await server.StopAsync(StopTimeout);
            if (kill)
            {
                await server.KillAsync();
            }

            var stopped = clock.Elapsed;
            await server.DisposeAsync();
            server = await GatewayServerProcess.StartAsync(start with { Port = server.BaseAddress.Port }, cancellationToken);
            var restarted = clock.Elapsed;
            await Task.WhenAll(running).WaitAsync(cancellationToken);

            Print(clients, stopped, restarted, graceful);
            return 0;
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    private static void Print(List<ReconnectClient> clients, TimeSpan stopped, TimeSpan restarted, bool graceful)
    {
        var attempts = clients.SelectMany(c => c.Attempts).ToList();
        var retries = clients.Select(c => c.EndRetry ?? TimeSpan.Zero).ToList();
        Console.WriteLine($"Stop took {stopped.TotalMilliseconds:0} ms ({(graceful ? "graceful" : "killed")}); new server healthy at {restarted.TotalMilliseconds:0} ms.");
        Console.WriteLine($"retry: values in effect at the break: {retries.Distinct().Count()} distinct, {retries.Min().TotalMilliseconds:0}–{retries.Max().TotalMilliseconds:0} ms.");
        Console.WriteLine($"Reconnect attempts: {attempts.Count} ({attempts.Count(a => !a.Opened)} refused while the server was down).");
        Console.WriteLine("  t (ms from stop)   attempts  opened  refused");
        var peak = 0;
        foreach (var group in attempts.GroupBy(a => (long)(a.At / Bucket)).OrderBy(g => g.Key))
        {
            var opened = group.Count(a => a.Opened);
            peak = Math.Max(peak, group.Count());
            Console.WriteLine($"  {group.Key * Bucket.TotalMilliseconds,7:0}–{(group.Key + 1) * Bucket.TotalMilliseconds,-7:0}  {group.Count(),8}  {opened,6}  {group.Count() - opened,7}  {new string('#', Math.Min(60, (group.Count() + 9) / 10))}");
        }

        Console.WriteLine($"Peak: {peak} attempts in one 100 ms bucket.");
    }
}
