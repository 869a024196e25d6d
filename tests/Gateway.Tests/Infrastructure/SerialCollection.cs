namespace Gateway.Tests.Infrastructure;

/// <summary>Tests that measure process-wide figures (memory) run alone, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "Serial";
}
