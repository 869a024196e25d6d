namespace Gateway.LoadTool;

/// <summary>The server's memory at one moment: resident set from <c>/proc</c> (when its pid is known) and GC heap (child server only).</summary>
internal sealed record ServerMemory(long? ResidentBytes, GcProbe? Gc)
{
    public static async Task<ServerMemory> ReadAsync(ServerProcess? server, int? pid, CancellationToken cancellationToken)
    {
        // The probe's full collection comes first: the GC may hand memory back, which the resident set then shows.
        var gc = server is null ? null : await server.ProbeGcAsync(cancellationToken);
        return new ServerMemory(pid is { } id ? ProcessMemory.ResidentBytes(id) : null, gc);
    }
}
