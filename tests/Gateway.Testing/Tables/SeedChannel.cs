namespace Gateway.Testing.Tables;

/// <summary>A channel to seed and the appends that make its log, in order (the first creates the log).</summary>
public sealed record SeedChannel(string Name, IReadOnlyList<SeedAppend> Appends);
