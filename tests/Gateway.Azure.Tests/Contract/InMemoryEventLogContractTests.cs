using Gateway.Testing.Hosting;

namespace Gateway.Azure.Tests.Contract;

/// <summary>The contract against the embedded log: the transport selection with no <c>EventLogStorage</c>.</summary>
public sealed class InMemoryEventLogContractTests : EventLogContractTests
{
    protected override Task<LogUnderTest> OpenAsync(LogSettings settings) =>
        Task.FromResult(new LogUnderTest(() => GatewayServices.Build(settings.Apply([]), settings.Time), shared: false));
}
