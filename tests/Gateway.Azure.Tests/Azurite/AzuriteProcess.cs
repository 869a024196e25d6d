using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace Gateway.Azure.Tests.Azurite;

/// <summary>
/// A real Azurite Table service (the npm package in the repository's node_modules) on 127.0.0.1 and a free port.
/// In memory by default; with a <c>location</c> its data survives <see cref="StopAsync"/> and <see cref="StartAsync()"/>
/// on the same port, for tests that take the store away and bring it back.
/// </summary>
public sealed class AzuriteProcess : IAsyncDisposable
{
    // Azurite's well-known development account (public, documented; not a secret).
    private const string AccountName = "devstoreaccount1";
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly string _script;
    private readonly string? _location;
    private Process? _process;
    private readonly ProcessOutputTail _output = new();

    private AzuriteProcess(string script, string? location, int port)
    {
        _script = script;
        _location = location;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};TableEndpoint=http://127.0.0.1:{Port}/{AccountName};";

    /// <summary>Starts Azurite; <paramref name="location"/> null keeps its data in memory only.</summary>
    public static async Task<AzuriteProcess> StartAsync(string? location = null)
    {
        var azurite = new AzuriteProcess(FindScript(), location, FreePort());
        await azurite.StartAsync();
        return azurite;
    }

    /// <summary>(Re)starts the process on the same port and location.</summary>
    public async Task StartAsync()
    {
        if (_process is not null)
        {
            throw new InvalidOperationException("Azurite is already running.");
        }

        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { _script, "--tableHost", "127.0.0.1", "--tablePort", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--skipApiVersionCheck", "--disableTelemetry", "--silent" })
        {
            start.ArgumentList.Add(arg);
        }

        if (_location is null)
        {
            start.ArgumentList.Add("--inMemoryPersistence");
        }
        else
        {
            start.ArgumentList.Add("--location");
            start.ArgumentList.Add(_location);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        process.OutputDataReceived += (_, e) => _output.Add(e.Data);
        process.ErrorDataReceived += (_, e) => _output.Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        var deadline = Stopwatch.StartNew();
        while (!await IsListeningAsync())
        {
            if (process.HasExited || deadline.Elapsed > StartTimeout)
            {
                await StopAsync();
                throw new InvalidOperationException($"Azurite did not start listening on 127.0.0.1:{Port} within {StartTimeout.TotalSeconds:0} s. Its output:\n{Output()}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Stops the process: with <paramref name="graceful"/>, by SIGINT, on which Azurite closes its server and saves its
    /// data to the location (it saves only every few seconds otherwise); then, or at once, by killing it.
    /// </summary>
    public async Task StopAsync(bool graceful = false)
    {
        if (_process is not { } process)
        {
            return;
        }

        _process = null;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        if (graceful && !process.HasExited)
        {
            using var interrupt = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await interrupt.WaitForExitAsync(timeout.Token);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _output.Add("(did not exit within 15 s of SIGINT; killed)");
            }
        }

        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }

        await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        process.Dispose();
    }

    /// <summary>The last lines Azurite printed, for failure messages.</summary>
    public string Output() => _output.ToString();

    public ValueTask DisposeAsync() => new(StopAsync());

    private async Task<bool> IsListeningAsync()
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }


    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindScript()
    {
        var root = typeof(AzuriteProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "RepositoryRoot")?.Value
            ?? throw new InvalidOperationException("The test assembly does not say where the repository is (AssemblyMetadata RepositoryRoot).");
        var script = Path.Combine(root, "node_modules", "azurite", "dist", "src", "table", "main.js");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException(
                $"Azurite is not installed: {script} is missing. Run `npm ci` in {root} (package.json pins the azurite package; Node.js is needed).");
        }

        return script;
    }
}
