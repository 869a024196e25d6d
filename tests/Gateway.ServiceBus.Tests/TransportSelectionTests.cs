using Gateway.Azure.ServiceBus;
using Gateway.Core.Bus;
using Gateway.Testing.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gateway.ServiceBus.Tests;

/// <summary>How configuration picks the bus, and the rules of this transport's names and options.</summary>
public sealed class TransportSelectionTests
{
    [Fact]
    public async Task An_EventBus_connection_selects_the_service_bus_transport()
    {
        await using var services = Build(("EventBus", "Endpoint=sb://localhost:5672;SharedAccessKeyName=k;SharedAccessKey=v;UseDevelopmentEmulator=true;"));
        Assert.IsType<ServiceBusEventBus>(services.GetRequiredService<IEventBus>());
        Assert.IsType<ServiceBusFanout>(services.GetRequiredService<IEventFanout>());
    }

    [Fact]
    public async Task Identity_settings_below_EventBus_select_the_service_bus_transport()
    {
        await using var services = Build(("EventBus:fullyQualifiedNamespace", "example.servicebus.windows.net"), ("EventBus:credential", "managedidentity"));
        Assert.IsType<ServiceBusEventBus>(services.GetRequiredService<IEventBus>());
    }

    [Fact]
    public async Task Without_EventBus_the_in_memory_bus_is_used()
    {
        await using var services = Build();
        Assert.IsType<InMemoryEventBus>(services.GetRequiredService<IEventBus>());
        Assert.IsType<LocalFanout>(services.GetRequiredService<IEventFanout>());
    }

    [Fact]
    public async Task Invalid_options_are_refused_with_the_key_that_is_wrong()
    {
        await using var services = Build(
            ("EventBus", "Endpoint=sb://localhost:5672;SharedAccessKeyName=k;SharedAccessKey=v;UseDevelopmentEmulator=true;"),
            ("Gateway:ServiceBus:FanoutTopic", "events"),
            ("Gateway:ServiceBus:FanoutSubscription", "-bad"),
            ("Gateway:ServiceBus:MaxBatchSize", "0"),
            ("Gateway:ServiceBus:IngestPrefetchCount", "-1"),
            ("Gateway:ServiceBus:Sessions", "true"),
            ("Gateway:ServiceBus:MaxConcurrentSessions", "0"));
        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<ServiceBusTransportOptions>>().Value);
        Assert.Contains(error.Failures, f => f.Contains("Gateway:ServiceBus:FanoutTopic", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("Gateway:ServiceBus:FanoutSubscription", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("Gateway:ServiceBus:MaxBatchSize", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("Gateway:ServiceBus:IngestPrefetchCount", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("Gateway:ServiceBus:MaxConcurrentSessions", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("instance-b", "instance-b")]
    [InlineData("Instance A/1", "instance-a-1")]
    [InlineData("--x--", "x")]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdef0123456789abcdef01")]
    public void Instance_ids_become_valid_subscription_names(string instanceId, string expected)
    {
        var name = SubscriptionName.FromInstanceId(instanceId);
        Assert.Equal(expected, name);
        Assert.True(SubscriptionName.IsValid(name));
    }

    [Fact]
    public void An_instance_id_with_nothing_usable_gives_no_name()
    {
        Assert.Null(SubscriptionName.FromInstanceId("//"));
    }

    private static GatewayServices Build(params (string Key, string Value)[] settings) =>
        GatewayServices.Build(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)));
}
