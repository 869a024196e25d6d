using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Gateway.Azure.Tests.Azurite;
using Gateway.Tests.Infrastructure;

namespace Gateway.ServiceBus.Tests.Infrastructure;

/// <summary>
/// The real gateway server (<c>Gateway.Server.dll</c>, copied next to the tests by the project reference, in any
/// output layout) in a child process on 127.0.0.1 and a free port, configured by environment variables as an
/// app service would be. A test can kill it outright, which an in-process host cannot simulate.
/// </summary>
public sealed class GatewayServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly ProcessOutputTail _output = new();

    private GatewayServerProcess(Process process, Uri baseAddress)
    {
        _process = process;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = Waits.Request };
    }

    public HttpClient Client { get; }

    /// <summary>Starts the server with <paramref name="environment"/> (keys in the <c>__</c> form) and waits until its bus is healthy.</summary>
    public static async Task<GatewayServerProcess> StartAsync(IReadOnlyDictionary<string, string> environment)
    {
        var server = Path.Combine(AppContext.BaseDirectory, "Gateway.Server.dll");
        if (!File.Exists(server))
        {
            throw new InvalidOperationException($"{server} is missing: the test project must reference Gateway.Server.");
        }

        var baseAddress = new Uri($"http://127.0.0.1:{FreePort()}");
        var start = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(server);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(baseAddress.ToString().TrimEnd('/'));
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("The gateway server process did not start.");
        var child = new GatewayServerProcess(process, baseAddress);
        process.OutputDataReceived += (_, e) => child._output.Add(e.Data);
        process.ErrorDataReceived += (_, e) => child._output.Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await child.UntilBusHealthyAsync();
            return child;
        }
        catch
        {
            await child.DisposeAsync();
            throw;
        }
    }

    public Task<SseStream> OpenStreamAsync(string channel, string? lastEventId = null) =>
        SseStream.OpenAsync(Client, $"/api/channels/{channel}/stream", lastEventId);

    /// <summary>SIGKILL: no shutdown, no abandon; whatever the server had in hand is left as it was.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    /// <summary>Kills the server (if it still runs) and waits until it has exited.</summary>
    public async Task KillAsync()
    {
        Kill();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _process.WaitForExitAsync(timeout.Token);
    }

    /// <summary>The last lines the server printed, for failure messages.</summary>
    public string Output() => _output.ToString();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        try
        {
            await KillAsync();
        }
        finally
        {
            _process.Dispose();
        }
    }

    private async Task UntilBusHealthyAsync()
    {
        var deadline = Stopwatch.StartNew();
        var last = "not listening";
        while (deadline.Elapsed < StartupTimeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The gateway server exited with code {_process.ExitCode} during start-up:\n{Output()}");
            }

            try
            {
                using var response = await Client.GetAsync("/api/health");
                using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                last = body.RootElement.GetProperty("checks").GetProperty("bus").GetProperty("status").GetString() ?? "none";
                if (last == "Healthy")
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"The gateway server's bus was not healthy within {StartupTimeout.TotalSeconds} s (last: {last}):\n{Output()}");
    }


    // The dotnet host running the tests, so the server gets the same runtime.
    private static string DotnetHost() =>
        Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
