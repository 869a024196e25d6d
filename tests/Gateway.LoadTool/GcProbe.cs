namespace Gateway.LoadTool;

/// <summary>What <see cref="StartupHook"/> reported: live GC heap, memory the GC has committed, and the GC mode.</summary>
internal sealed record GcProbe(long HeapBytes, long CommittedBytes, string Mode)
{
    public static GcProbe? TryParse(string line)
    {
        if (!line.StartsWith(StartupHook.ReplyPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        return Parse(line[StartupHook.ReplyPrefix.Length..]);
    }

    /// <summary>Reads "heap committed mode", the figures <see cref="StartupHook"/> reports.</summary>
    public static GcProbe Parse(string figures)
    {
        var parts = figures.Trim().Split(' ');
        return new GcProbe(long.Parse(parts[0]), long.Parse(parts[1]), parts[2]);
    }

    /// <summary>
    /// Asks a server started with <see cref="StartupHook.ProbeDirectoryVariable"/> = <paramref name="directory"/> for a
    /// full collection and its heap figures, through the request and reply files.
    /// </summary>
    public static async Task<GcProbe> RequestAsync(string directory, CancellationToken cancellationToken) =>
        Parse(await AskAsync(directory, StartupHook.Request, cancellationToken));

    /// <summary>The server's collections so far and their total pause, without collecting (see <see cref="StartupHook.CountsRequest"/>).</summary>
    public static async Task<GcCounts> CountsAsync(string directory, CancellationToken cancellationToken) =>
        GcCounts.Parse(await AskAsync(directory, StartupHook.CountsRequest, cancellationToken));

    private static async Task<string> AskAsync(string directory, string request, CancellationToken cancellationToken)
    {
        var reply = Path.Combine(directory, StartupHook.ReplyFile);
        File.Delete(reply);
        // Written aside and renamed, so the hook never reads half a request (an empty one would be a full collection).
        var requestFile = Path.Combine(directory, StartupHook.RequestFile);
        await File.WriteAllTextAsync(requestFile + ".tmp", request, cancellationToken);
        File.Move(requestFile + ".tmp", requestFile, overwrite: true);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (!File.Exists(reply))
        {
            try
            {
                await Task.Delay(50, timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"No GC probe reply in {directory} within 30 s: was the server started with DOTNET_STARTUP_HOOKS and {StartupHook.ProbeDirectoryVariable}?");
            }
        }

        var figures = await File.ReadAllTextAsync(reply, cancellationToken);
        File.Delete(reply);
        return figures;
    }
}
