using System.Text.Json;
using Gateway.Testing.Azurite;
using Gateway.Testing.Hosting;
using Gateway.Testing.ServiceBus;

namespace Gateway.ServiceBus.Tests;

/// <summary>
/// <c>GET /api/health</c> tells every caller which log and which bus the instance runs on (the demo page shows it), as
/// fixed words: an anonymous caller learns no host, account, key or error text from it.
/// </summary>
public sealed class HealthKindTests
{
    [Fact]
    public async Task With_the_table_log_and_service_bus_anonymous_callers_see_the_kinds_and_nothing_of_the_configuration()
    {
        await using var azurite = await AzuriteProcess.StartAsync();
        await using var bus = await BusEnvironment.StartAsync();
        await using var gateway = await bus.StartGatewayAsync(settings: TableLogSettings.OnNewTable(azurite.ConnectionString));

        var body = await gateway.Client.GetStringAsync("/api/health");
        using var health = JsonDocument.Parse(body);
        var checks = health.RootElement.GetProperty("checks");

        Assert.Equal("table-storage", checks.GetProperty("log").GetProperty("kind").GetString());
        Assert.Equal("service-bus", checks.GetProperty("bus").GetProperty("kind").GetString());
        Assert.False(checks.GetProperty("log").TryGetProperty("description", out _));
        Assert.False(checks.GetProperty("bus").TryGetProperty("description", out _));
        Assert.DoesNotContain("127.0.0.1", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Key", body, StringComparison.OrdinalIgnoreCase);
    }
}
