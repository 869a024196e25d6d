namespace Gateway.Testing.Processes;

/// <summary>What to start as a <see cref="ChildProcess"/>.</summary>
public sealed record ChildProcessStart(string FileName, IReadOnlyList<string> Arguments)
{
    /// <summary>Environment variables added to (or replacing) the test process's own.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    public string? WorkingDirectory { get; init; }

    /// <summary>Keep the child's stdin open for <see cref="ChildProcess.StandardInput"/>.</summary>
    public bool RedirectInput { get; init; }

    /// <summary>Sees every line the child prints (stdout and stderr), besides the tail kept for failure messages.</summary>
    public Action<string>? OnLine { get; init; }
}
