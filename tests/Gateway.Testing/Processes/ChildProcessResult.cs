namespace Gateway.Testing.Processes;

/// <summary>How a command run by <see cref="ChildProcess.RunAsync"/> ended, and what it printed.</summary>
public sealed record ChildProcessResult(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Everything it printed: stdout, then stderr.</summary>
    public string Output => StandardOutput + StandardError;
}
