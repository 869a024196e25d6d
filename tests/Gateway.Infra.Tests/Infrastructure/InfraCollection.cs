namespace Gateway.Infra.Tests.Infrastructure;

/// <summary>The test classes that read the compiled template share one <c>bicep build</c>.</summary>
[CollectionDefinition(Name)]
public sealed class InfraCollection : ICollectionFixture<CompiledInfra>
{
    public const string Name = "compiled infra";
}
