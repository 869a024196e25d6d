using System.Diagnostics;
using System.Globalization;

namespace Gateway.Testing.Processes;

/// <summary>
/// One child process of a test (a gateway server, Azurite's node): its output is read continuously (a full pipe
/// would block the child) into a <see cref="ProcessOutputTail"/> for failure messages, and it can be interrupted
/// (SIGINT, a graceful stop) or killed outright (SIGKILL, the whole tree), which nothing in-process can simulate.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly ProcessOutputTail _output = new();

    private ChildProcess(Process process) => _process = process;

    /// <summary>
    /// The dotnet host running the tests, so a child gets the same runtime (<c>dotnet</c> from the PATH when the
    /// tests run under another host).
    /// </summary>
    public static string DotnetHost =>
        Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>The child's stdin (only with <see cref="ChildProcessStart.RedirectInput"/>).</summary>
    public StreamWriter StandardInput => _process.StandardInput;

    /// <summary>Starts a long-running child; the caller stops it (dispose kills it).</summary>
    public static ChildProcess Start(ChildProcessStart start)
    {
        var process = Launch(start);
        var child = new ChildProcess(process);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data, start.OnLine);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data, start.OnLine);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>
    /// Runs a command to completion (a CLI), bounded by <paramref name="timeout"/> (then killed), and returns its exit
    /// code and everything it printed. <see cref="ChildProcessStart.OnLine"/> is not called.
    /// </summary>
    public static async Task<ChildProcessResult> RunAsync(ChildProcessStart start, TimeSpan timeout)
    {
        using var process = Launch(start);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(start.FileName)} {string.Join(' ', start.Arguments)} did not finish within {timeout}.");
        }

        return new ChildProcessResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The last lines the child printed, for failure messages.</summary>
    public string Output() => _output.ToString();

    /// <summary>Notes a line in the output tail (e.g. what the test did to the child).</summary>
    public void Note(string line) => _output.Add(line);

    /// <summary>SIGKILL to the whole tree: no shutdown; whatever the child had in hand is left as it was.</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    /// <summary>Kills the child (if it still runs) and waits until it has exited.</summary>
    public async Task KillAsync()
    {
        Kill();
        await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(ExitTimeout);
    }

    /// <summary>SIGINT, as Ctrl+C would send: the child may shut down cleanly. Returns whether it exited within <paramref name="timeout"/>.</summary>
    public async Task<bool> InterruptAsync(TimeSpan timeout)
    {
        if (_process.HasExited)
        {
            return true;
        }

        using var cancel = new CancellationTokenSource(timeout);
        using (var interrupt = Process.Start("kill", ["-INT", _process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await interrupt.WaitForExitAsync(cancel.Token);
        }

        try
        {
            await _process.WaitForExitAsync(cancel.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        finally
        {
            _process.Dispose();
        }
    }

    private static Process Launch(ChildProcessStart start)
    {
        var info = new ProcessStartInfo(start.FileName)
        {
            RedirectStandardInput = start.RedirectInput,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (start.WorkingDirectory is not null)
        {
            info.WorkingDirectory = start.WorkingDirectory;
        }

        foreach (var argument in start.Arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in start.Environment)
        {
            info.Environment[key] = value;
        }

        return Process.Start(info) ?? throw new InvalidOperationException($"{start.FileName} did not start.");
    }

    private void OnLine(string? line, Action<string>? observer)
    {
        if (line is null)
        {
            return;
        }

        _output.Add(line);
        observer?.Invoke(line);
    }
}
