using Gateway.Azure.Tests.Azurite;
using Gateway.Testing.Azurite;
using Gateway.Testing.Hosting;

namespace Gateway.Azure.Tests.Contract;

/// <summary>
/// The contract against the Table log on a real Azurite, selected by <c>EventLogStorage</c>. Each writer a test opens
/// is a separate log instance on the same table, as separate gateway instances would be.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TableEventLogContractTests(AzuriteFixture azurite) : EventLogContractTests
{
    protected override Task<LogUnderTest> OpenAsync(LogSettings settings)
    {
        var table = TableLogSettings.NewTableName();
        return Task.FromResult(new LogUnderTest(
            () => GatewayServices.Build(settings.Apply(TableLogSettings.For(azurite.Azurite.ConnectionString, table)), settings.Time),
            shared: true));
    }
}
