using Gateway.Core.Events;

namespace Gateway.Testing.Tables;

/// <summary>One append call of a seeded channel: its drafts, committed at <paramref name="Time"/> in one transaction.</summary>
public sealed record SeedAppend(DateTimeOffset Time, IReadOnlyList<EventDraft> Drafts);
