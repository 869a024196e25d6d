using Gateway.Testing.Hosting;
using Gateway.Testing.Http;
using Gateway.Testing.Network;
using Gateway.Testing.Sse;

namespace Gateway.Testing.Processes;

/// <summary>
/// The real gateway server (<c>Gateway.Server.dll</c>, copied next to the caller by its project reference, in any
/// output layout) in a child process on 127.0.0.1 and a free port. A test can kill it outright, which an in-process
/// host cannot simulate, and a measurement sees its memory alone.
/// </summary>
public sealed class GatewayServerProcess : IAsyncDisposable
{
    private readonly ChildProcess _process;

    private GatewayServerProcess(ChildProcess process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
        Client = GatewayHttp.CreateClient(baseAddress);
    }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public int Pid => _process.Id;

    /// <summary>The server's stdin (only with <see cref="GatewayServerProcessOptions.RedirectInput"/>).</summary>
    public StreamWriter StandardInput => _process.StandardInput;

    /// <summary>Starts the server with <paramref name="environment"/> (keys in the <c>__</c> form) and waits until its bus is healthy.</summary>
    public static Task<GatewayServerProcess> StartAsync(IReadOnlyDictionary<string, string> environment) =>
        StartAsync(new GatewayServerProcessOptions { Environment = environment });

    /// <summary>Starts the server and waits until its bus is healthy (the in-memory bus is at once).</summary>
    /// <param name="cancellationToken">Gives up waiting (and kills the server) when cancelled.</param>
    public static async Task<GatewayServerProcess> StartAsync(GatewayServerProcessOptions options, CancellationToken cancellationToken = default)
    {
        var server = Path.Combine(AppContext.BaseDirectory, "Gateway.Server.dll");
        if (!File.Exists(server))
        {
            throw new InvalidOperationException($"{server} is missing: the project must reference Gateway.Server.");
        }

        var baseAddress = new Uri($"http://127.0.0.1:{FreePort.Next()}");
        var process = ChildProcess.Start(new ChildProcessStart(ChildProcess.DotnetHost, [server, .. GatewayArguments.For(baseAddress.ToString().TrimEnd('/'), options.Settings)])
        {
            WorkingDirectory = AppContext.BaseDirectory,
            Environment = options.Environment,
            RedirectInput = options.RedirectInput,
            OnLine = options.OnLine,
        });
        var child = new GatewayServerProcess(process, baseAddress);
        try
        {
            await child.Client.UntilBusHealthyAsync(
                Waits.ProcessStartup,
                gone: () => process.HasExited ? $"The gateway server exited with code {process.ExitCode} during start-up:\n{process.Output()}" : null,
                diagnostics: () => $"\n{process.Output()}",
                cancellationToken);
            return child;
        }
        catch
        {
            await child.DisposeAsync();
            throw;
        }
    }

    public Task<SseStream> OpenStreamAsync(string channel, string? lastEventId = null) => Client.OpenStreamAsync(channel, lastEventId);

    /// <summary>SIGKILL: no shutdown, no abandon; whatever the server had in hand is left as it was.</summary>
    public void Kill() => _process.Kill();

    /// <summary>Kills the server (if it still runs) and waits until it has exited.</summary>
    public Task KillAsync() => _process.KillAsync();

    /// <summary>The last lines the server printed, for failure messages.</summary>
    public string Output() => _process.Output();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _process.DisposeAsync();
    }
}
