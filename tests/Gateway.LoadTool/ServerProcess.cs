using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Gateway.LoadTool;

/// <summary>
/// The embedded gateway (Gateway.Server.dll, built with this tool) in a child process on 127.0.0.1, so its memory is
/// read from <c>/proc</c> alone, with <see cref="StartupHook"/> loaded to report its GC heap on request.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly Channel<GcProbe> _probes = Channel.CreateUnbounded<GcProbe>();

    private ServerProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public int Pid => _process.Id;

    public static async Task<ServerProcess> StartAsync(bool workstationGc, CancellationToken cancellationToken)
    {
        var directory = AppContext.BaseDirectory;
        var baseAddress = new Uri($"http://127.0.0.1:{FreePort()}");
        var start = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[]
        {
            Path.Combine(directory, "Gateway.Server.dll"), "--urls", baseAddress.ToString().TrimEnd('/'),
            "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Warning",
            // No stream should reach its deadline while the tool measures idle streams.
            "--Gateway:Stream:MaxDuration=01:00:00",
        })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_STARTUP_HOOKS"] = typeof(StartupHook).Assembly.Location;
        if (workstationGc)
        {
            start.Environment["DOTNET_gcServer"] = "0";
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the gateway server process.");
        var server = new ServerProcess(process, baseAddress);
        process.OutputDataReceived += (_, e) => server.OnOutput(e.Data);
        process.ErrorDataReceived += (_, e) => OnError(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.UntilHealthyAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Forces a full collection in the server and returns its GC heap figures.</summary>
    public async Task<GcProbe> ProbeGcAsync(CancellationToken cancellationToken)
    {
        await _process.StandardInput.WriteLineAsync(StartupHook.Request.AsMemory(), cancellationToken);
        await _process.StandardInput.FlushAsync(cancellationToken);
        return await _probes.Reader.ReadAsync(cancellationToken).AsTask().WaitAsync(ProbeTimeout, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(timeout.Token);
        }

        _process.Dispose();
    }

    private async Task UntilHealthyAsync(CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The gateway server exited with code {_process.ExitCode} during start-up.");
            }

            try
            {
                using var response = await client.GetAsync("/api/health", cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (deadline.Elapsed < StartupTimeout)
            {
                // Not listening yet.
            }

            if (deadline.Elapsed > StartupTimeout)
            {
                throw new TimeoutException($"The gateway server was not healthy at {BaseAddress} within {StartupTimeout.TotalSeconds} s.");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    private void OnOutput(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (GcProbe.TryParse(line) is { } probe)
        {
            _probes.Writer.TryWrite(probe);
        }
        else
        {
            Console.Error.WriteLine($"[server] {line}");
        }
    }

    private static void OnError(string? line)
    {
        if (line is not null)
        {
            Console.Error.WriteLine($"[server] {line}");
        }
    }

    // The same dotnet host that runs this tool, so the server gets the same runtime.
    private static string DotnetHost() =>
        Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
