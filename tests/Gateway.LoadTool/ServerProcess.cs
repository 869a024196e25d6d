using System.Threading.Channels;
using Gateway.Testing.Processes;

namespace Gateway.LoadTool;

/// <summary>
/// The embedded gateway (Gateway.Server.dll, built with this tool) in a child process started by the test kit's
/// <see cref="GatewayServerProcess"/>, so its memory is read from <c>/proc</c> alone, with <see cref="StartupHook"/>
/// loaded to report its GC heap on request.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(30);

    private readonly Channel<GcProbe> _probes = Channel.CreateUnbounded<GcProbe>();
    private GatewayServerProcess? _server;

    private ServerProcess()
    {
    }

    public Uri BaseAddress => Server.BaseAddress;

    public int Pid => Server.Pid;

    private GatewayServerProcess Server => _server ?? throw new InvalidOperationException("The server has not started.");

    public static async Task<ServerProcess> StartAsync(bool serverGc, CancellationToken cancellationToken)
    {
        var environment = new Dictionary<string, string> { ["DOTNET_STARTUP_HOOKS"] = typeof(StartupHook).Assembly.Location };
        if (serverGc)
        {
            // The server host runs workstation GC by default (see its csproj); this compares against server GC.
            environment["DOTNET_gcServer"] = "1";
        }

        var process = new ServerProcess();
        process._server = await GatewayServerProcess.StartAsync(
            new GatewayServerProcessOptions
            {
                // No stream should reach its deadline while the tool measures idle streams.
                Settings = [("Gateway:Stream:MaxDuration", "01:00:00")],
                Environment = environment,
                RedirectInput = true,
                OnLine = process.OnOutput,
            },
            cancellationToken);
        return process;
    }

    /// <summary>Forces a full collection in the server and returns its GC heap figures.</summary>
    public async Task<GcProbe> ProbeGcAsync(CancellationToken cancellationToken)
    {
        await Server.StandardInput.WriteLineAsync(StartupHook.Request.AsMemory(), cancellationToken);
        await Server.StandardInput.FlushAsync(cancellationToken);
        return await _probes.Reader.ReadAsync(cancellationToken).AsTask().WaitAsync(ProbeTimeout, cancellationToken);
    }

    public ValueTask DisposeAsync() => _server?.DisposeAsync() ?? ValueTask.CompletedTask;

    private void OnOutput(string line)
    {
        if (GcProbe.TryParse(line) is { } probe)
        {
            _probes.Writer.TryWrite(probe);
        }
        else
        {
            Console.Error.WriteLine($"[server] {line}");
        }
    }
}
