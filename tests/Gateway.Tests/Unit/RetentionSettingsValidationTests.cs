using Gateway.Testing.Hosting;
using Microsoft.Extensions.Options;

namespace Gateway.Tests.Unit;

/// <summary>A bad retention budget stops the host at start with a message naming the setting.</summary>
public sealed class RetentionSettingsValidationTests
{
    [Theory]
    [InlineData("Gateway:Retention:MaxRunDuration", "00:00:00")]
    [InlineData("Gateway:Retention:MaxChannelsPerRun", "-1")]
    public async Task A_bad_run_budget_stops_the_host_naming_the_setting(string key, string value)
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => GatewayTestHost.StartAsync((key, value)));
        Assert.Contains(key, failure.Message, StringComparison.Ordinal);
    }
}
