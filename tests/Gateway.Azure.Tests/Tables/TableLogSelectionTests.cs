using Azure.Data.Tables;
using Gateway.Azure.Hosting;
using Gateway.Azure.Tables;
using Gateway.Core.Log;
using Gateway.Testing.Hosting;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gateway.Azure.Tests.Tables;

/// <summary>Which log the hosts get from configuration, and how <c>EventLogStorage</c> is read. No store is contacted.</summary>
public sealed class TableLogSelectionTests
{
    [Fact]
    public async Task Without_EventLogStorage_the_log_is_in_memory()
    {
        await using var services = GatewayServices.Build([]);
        Assert.IsType<InMemoryEventLog>(services.GetRequiredService<IEventLog>());
    }

    [Fact]
    public async Task A_connection_string_selects_the_Table_log_on_that_account()
    {
        await using var services = GatewayServices.Build([new("EventLogStorage", "UseDevelopmentStorage=true")]);
        Assert.IsType<TableEventLog>(services.GetRequiredService<IEventLog>());
        var client = services.GetRequiredService<IAzureClientFactory<TableServiceClient>>().CreateClient(TableEventLogExtensions.ClientName);
        Assert.Equal("devstoreaccount1", client.AccountName);
        Assert.Equal(10002, client.Uri.Port);
        Assert.Equal("events", services.GetRequiredService<IOptions<TableLogOptions>>().Value.TableName);
    }

    [Fact]
    public async Task An_identity_based_connection_uses_tableServiceUri_with_a_managed_identity()
    {
        await using var services = GatewayServices.Build(
        [
            new("EventLogStorage:tableServiceUri", "https://gatewaylog.table.core.windows.net"),
            new("EventLogStorage:credential", "managedidentity"),
            new("EventLogStorage:clientId", "00000000-0000-0000-0000-000000000001"),
            new("Gateway:Tables:TableName", "gatewayevents"),
        ]);
        Assert.IsType<TableEventLog>(services.GetRequiredService<IEventLog>());
        var client = services.GetRequiredService<IAzureClientFactory<TableServiceClient>>().CreateClient(TableEventLogExtensions.ClientName);
        Assert.Equal(new Uri("https://gatewaylog.table.core.windows.net"), client.Uri);
        Assert.Equal("gatewaylog", client.AccountName);
    }

    [Fact]
    public void An_EventLogStorage_section_without_a_store_is_refused_with_what_to_set()
    {
        var error = Assert.Throws<InvalidOperationException>(() => GatewayServices.Build([new("EventLogStorage:clientId", "abc")]));
        Assert.Contains("EventLogStorage__tableServiceUri", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Gateway:Tables:TableName", "no-dashes")]
    [InlineData("Gateway:Tables:TableName", "ab")]
    [InlineData("Gateway:Tables:ReadPageSize", "1001")]
    public async Task Invalid_table_options_are_refused(string key, string value)
    {
        await using var services = GatewayServices.Build([new("EventLogStorage", "UseDevelopmentStorage=true"), new(key, value)]);
        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<TableLogOptions>>().Value);
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }
}
