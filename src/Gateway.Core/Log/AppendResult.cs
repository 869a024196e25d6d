using Gateway.Core.Events;

namespace Gateway.Core.Log;

/// <summary>What an append committed, in offset order, and which source messages it found already appended.</summary>
public sealed record AppendResult(string Epoch, IReadOnlyList<ChannelEvent> Appended, IReadOnlyList<AppendedBefore> Duplicates);

/// <summary>A source message that an earlier append committed, at <paramref name="Offset"/> of the same log.</summary>
public readonly record struct AppendedBefore(string SourceId, long Offset);
