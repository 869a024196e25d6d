namespace Gateway.ServiceBus.Tests.Chaos;

/// <summary>One event row of a channel's log: its offset, epoch, and the producer's sequence number read from its data (-1 if unreadable).</summary>
public sealed record ChaosLogRow(long Offset, string Epoch, int Seq, string Data);
