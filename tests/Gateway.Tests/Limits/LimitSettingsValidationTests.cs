using Gateway.Testing.Hosting;
using Microsoft.Extensions.Options;

namespace Gateway.Tests.Limits;

/// <summary>A bad limit setting stops the host at start with a message naming it.</summary>
public sealed class LimitSettingsValidationTests
{
    [Theory]
    [InlineData("Gateway:Limits:MaxStreams", "-1", "Gateway:Limits:MaxStreams")]
    [InlineData("Gateway:Limits:PublishBurst", "0", "Gateway:Limits:PublishBurst")]
    [InlineData("Gateway:Limits:StreamRetryAfter", "00:00:00", "Gateway:Limits:StreamRetryAfter")]
    [InlineData("Gateway:InMemory:MaxBytes", "1000", "Gateway:InMemory:MaxBytes")]
    [InlineData("Gateway:ForwardedHeaders:KnownNetworks:0", "10.0.0.0/99", "Gateway:ForwardedHeaders:KnownNetworks")]
    [InlineData("Gateway:ForwardedHeaders:KnownProxies:0", "not-an-address", "Gateway:ForwardedHeaders:KnownProxies")]
    public async Task A_bad_value_stops_the_host_naming_the_setting(string key, string value, string named)
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => GatewayTestHost.StartAsync((key, value)));
        Assert.Contains(named, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Per_client_streams_may_not_exceed_the_instance_limit()
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            GatewayTestHost.StartAsync(("Gateway:Limits:MaxStreams", "10"), ("Gateway:Limits:MaxStreamsPerClient", "11")));
        Assert.Contains("MaxStreamsPerClient", failure.Message, StringComparison.Ordinal);
    }
}
