namespace Gateway.Core.Log;

/// <summary>What one retention run did.</summary>
/// <param name="EventsRemoved">Events removed (by age or by the count per channel).</param>
/// <param name="ChannelsVisited">Channels this run looked at (at most the run's budget).</param>
/// <param name="ChannelsRemoved">Channels whose events had all expired and whose rows were removed.</param>
/// <param name="PassCompleted">True when the run reached the end of the channels; false when its budget stopped it and the next run continues after the last channel it visited.</param>
public sealed record RetentionRunResult(long EventsRemoved, int ChannelsVisited, int ChannelsRemoved, bool PassCompleted);
