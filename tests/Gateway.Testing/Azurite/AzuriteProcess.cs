using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Gateway.Testing.Network;
using Gateway.Testing.Processes;

namespace Gateway.Testing.Azurite;

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
    private static readonly TimeSpan InterruptTimeout = TimeSpan.FromSeconds(15);

    private readonly string _script;
    private readonly string? _location;
    private ChildProcess? _process;
    private string _lastOutput = "";

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
        var azurite = new AzuriteProcess(FindScript(), location, FreePort.Next());
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

        List<string> arguments =
        [
            _script, "--tableHost", "127.0.0.1", "--tablePort", Port.ToString(CultureInfo.InvariantCulture),
            "--skipApiVersionCheck", "--disableTelemetry", "--silent",
        ];
        arguments.AddRange(_location is null ? ["--inMemoryPersistence"] : ["--location", _location]);
        var process = ChildProcess.Start(new ChildProcessStart("node", arguments));
        _process = process;

        var deadline = Stopwatch.StartNew();
        while (!await IsListeningAsync())
        {
            if (process.HasExited || deadline.Elapsed > Waits.Startup)
            {
                await StopAsync();
                throw new InvalidOperationException($"Azurite did not start listening on 127.0.0.1:{Port} within {Waits.Startup.TotalSeconds:0} s. Its output:\n{Output()}");
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
        if (graceful && !await process.InterruptAsync(InterruptTimeout))
        {
            process.Note($"(did not exit within {InterruptTimeout.TotalSeconds:0} s of SIGINT; killed)");
        }

        _lastOutput = process.Output();
        await process.DisposeAsync();
    }

    /// <summary>The last lines Azurite printed (the stopped process's, until it runs again), for failure messages.</summary>
    public string Output() => _process?.Output() ?? _lastOutput;

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

    private static string FindScript()
    {
        var root = BuildMetadata.RepositoryRoot;
        var script = Path.Combine(root, "node_modules", "azurite", "dist", "src", "table", "main.js");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException(
                $"Azurite is not installed: {script} is missing. Run `npm ci` in {root} (package.json pins the azurite package; Node.js is needed).");
        }

        return script;
    }
}
