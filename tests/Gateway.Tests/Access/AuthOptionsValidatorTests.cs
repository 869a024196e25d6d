using Gateway.Core.Access;
using Gateway.Core.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gateway.Tests.Access;

/// <summary>A bad <c>Gateway:Auth</c> stops the host at start with a message naming the setting.</summary>
public sealed class AuthOptionsValidatorTests
{
    [Fact]
    public void Nothing_set_is_valid_and_leaves_access_open()
    {
        var options = Validate([]);
        Assert.False(options.IsEnabled);
    }

    [Fact]
    public void A_base64_key_of_32_bytes_is_valid()
    {
        var options = Validate([("SigningKey", TestTokens.SigningKey)]);
        Assert.True(options.IsEnabled);
        Assert.True(options.CookieTokens);
    }

    [Theory]
    [InlineData("SigningKey", "not base64!", "SigningKey must be base64")]
    [InlineData("SigningKey", "c2hvcnQ=", "at least 32 bytes")]
    [InlineData("Authority", "http://login.example.com/tenant", "absolute https URL")]
    [InlineData("Authority", "https://login.example.com/tenant", "Audience is required")]
    [InlineData("PublicChannels:0", "news/*", "PublicChannels")]
    [InlineData("ClockSkew", "01:00:00", "ClockSkew")]
    public void Bad_settings_fail_naming_the_setting(string key, string value, string message)
    {
        var settings = key == "PublicChannels:0" || key == "ClockSkew"
            ? new[] { ("SigningKey", TestTokens.SigningKey), (key, value) }
            : [(key, value)];
        var error = Assert.Throws<OptionsValidationException>(() => Validate(settings));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Contains("Gateway:Auth:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_and_an_authority_together_are_refused()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Validate([("SigningKey", TestTokens.SigningKey), ("Authority", "https://login.example.com/t/v2.0"), ("Audience", "api")]));
        Assert.Contains("not both", error.Message, StringComparison.Ordinal);
    }

    private static AuthOptions Validate((string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => KeyValuePair.Create($"{AuthOptions.SectionName}:{s.Key}", (string?)s.Value)))
            .Build();
        using var services = new ServiceCollection().AddLogging().AddGatewayCore(configuration).BuildServiceProvider();
        return services.GetRequiredService<IOptions<AuthOptions>>().Value;
    }
}
