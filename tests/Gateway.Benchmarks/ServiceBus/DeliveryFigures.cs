namespace Gateway.Benchmarks.ServiceBus;

/// <summary>What one phase measured: send → receive latency percentiles (ms), events/s from the first send to the last receipt, repeats.</summary>
internal sealed record DeliveryFigures(double P50, double P90, double P99, double Max, double EventsPerSecond, int Duplicates);
