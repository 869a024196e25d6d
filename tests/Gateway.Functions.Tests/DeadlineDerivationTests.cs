using Gateway.Core.Options;
using Gateway.Functions.Deadline;
using Gateway.Functions.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Gateway.Functions.Tests;

/// <summary>
/// The stream deadline the app derives from <c>functionTimeout</c> (host.json in the app directory, or the
/// <c>AzureFunctionsJobHost__functionTimeout</c> override), through the real service registration.
/// </summary>
public sealed class DeadlineDerivationTests : IDisposable
{
    private const string NoFile = "<no host.json>";
    private const string NotSet = "<not set>";
    private readonly string _appDirectory = Directory.CreateTempSubdirectory("gateway-deadline-").FullName;

    public void Dispose() => Directory.Delete(_appDirectory, recursive: true);

    // The third column is the timeout the app must take: from host.json or the override, "-1" (unlimited), or
    // NotSet (FunctionTimeout.DefaultWhenNotSet). The stream length follows from it and the default options, so the
    // cases pin where the timeout is read from, not the values of the code's defaults.
    [Theory]
    [InlineData("""{ "version": "2.0", "functionTimeout": "00:05:00" }""", null, "00:05:00")] // Consumption default
    [InlineData("""{ "version": "2.0", "functionTimeout": "00:10:00" }""", null, "00:10:00")] // Consumption maximum
    [InlineData("""{ "version": "2.0", "functionTimeout": "00:30:00" }""", null, "00:30:00")] // Flex Consumption / Premium default
    [InlineData("""{ "version": "2.0", "functionTimeout": "-1" }""", null, "-1")] // unlimited → MaxStreamDuration
    [InlineData("""{ "version": "2.0", "functionTimeout": -1 }""", null, "-1")]
    [InlineData("""{ "version": "2.0", "functionTimeout": "02:00:00" }""", null, "02:00:00")] // capped by MaxStreamDuration
    [InlineData("""{ "version": "2.0" }""", null, NotSet)] // missing → documented default
    [InlineData("""{ "version": "2.0", "functionTimeout": null }""", null, NotSet)]
    [InlineData(NoFile, null, NotSet)]
    [InlineData("""{ "version": "2.0", "FunctionTimeout": "00:10:00" }""", null, "00:10:00")] // the host's configuration ignores case
    [InlineData("{ // Functions allows comments\n \"functionTimeout\": \"00:10:00\", }", null, "00:10:00")]
    [InlineData("""{ "version": "2.0", "functionTimeout": "00:05:00" }""", "00:10:00", "00:10:00")] // the app setting overrides host.json
    [InlineData("""{ "version": "2.0", "functionTimeout": "00:05:00" }""", "-1", "-1")]
    [InlineData("""{ "version": "2.0", "functionTimeout": "-1" }""", "00:05:00", "00:05:00")]
    [InlineData(NoFile, "00:10:00", "00:10:00")]
    public void Derives_the_stream_length_from_the_host_timeout(string hostJson, string? overrideSetting, string takenTimeout)
    {
        var defaults = new FunctionsDeadlineOptions();
        TimeSpan? timeout = takenTimeout switch
        {
            "-1" => null,
            NotSet => FunctionTimeout.DefaultWhenNotSet,
            _ => TimeSpan.Parse(takenTimeout, System.Globalization.CultureInfo.InvariantCulture),
        };
        var expected = timeout is not { } limit ? defaults.MaxStreamDuration
            : limit - defaults.SafetyMargin < defaults.MaxStreamDuration ? limit - defaults.SafetyMargin
            : defaults.MaxStreamDuration;

        using var services = Build(hostJson, overrideSetting);
        Assert.Equal(expected, services.GetRequiredService<IOptions<StreamOptions>>().Value.MaxDuration);
    }

    [Theory]
    [InlineData("""{ "functionTimeout": "abc" }""", null, "functionTimeout 'abc' from host.json")]
    [InlineData("""{ "functionTimeout": "5" }""", null, "functionTimeout '5' from host.json")] // would be 5 days
    [InlineData("""{ "functionTimeout": "00:00:00" }""", null, "functionTimeout '00:00:00' from host.json")] // never a silent 0
    [InlineData("""{ "functionTimeout": "-00:01:00" }""", null, "functionTimeout '-00:01:00' from host.json")]
    [InlineData("""{ "functionTimeout": 300 }""", null, "functionTimeout '300' from host.json")]
    [InlineData("""{ "functionTimeout": true }""", null, "functionTimeout 'true' from host.json")]
    [InlineData("""{ "functionTimeout": "00:05:00" """, null, "is not valid JSON")]
    [InlineData("""{ "functionTimeout": "00:00:20" }""", null, "leaves no time for a stream after the safety margin")]
    [InlineData("""{ "functionTimeout": "00:05:00" }""", "ten minutes", "'ten minutes' from app setting AzureFunctionsJobHost__functionTimeout")]
    public void A_timeout_that_cannot_give_a_deadline_is_a_clear_error(string hostJson, string? overrideSetting, string message)
    {
        using var services = Build(hostJson, overrideSetting);
        var error = Assert.Throws<InvalidOperationException>(() => services.GetRequiredService<IOptions<StreamOptions>>().Value);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Safety_margin_and_maximum_are_options()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:Functions:SafetyMargin"] = "00:01:00",
            ["Gateway:Functions:MaxStreamDuration"] = "01:00:00",
        };
        using (var limited = Build("""{ "functionTimeout": "00:10:00" }""", null, settings))
        {
            Assert.Equal(TimeSpan.FromMinutes(9), limited.GetRequiredService<IOptions<StreamOptions>>().Value.MaxDuration);
        }

        using var unlimited = Build("""{ "functionTimeout": "-1" }""", null, settings);
        Assert.Equal(TimeSpan.FromHours(1), unlimited.GetRequiredService<IOptions<StreamOptions>>().Value.MaxDuration);
    }

    [Fact]
    public void Invalid_deadline_options_are_reported_by_name()
    {
        using var services = Build("""{ "functionTimeout": "00:10:00" }""", null, new Dictionary<string, string?>
        {
            ["Gateway:Functions:SafetyMargin"] = "-00:00:01",
            ["Gateway:Functions:MaxStreamDuration"] = "00:00:00",
        });
        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<FunctionsDeadlineOptions>>().Value);
        Assert.Contains("Gateway:Functions:SafetyMargin", error.Message, StringComparison.Ordinal);
        Assert.Contains("Gateway:Functions:MaxStreamDuration", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_timeout_stops_the_app_at_start()
    {
        await File.WriteAllTextAsync(Path.Combine(_appDirectory, "host.json"), """{ "functionTimeout": "soon" }""");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = _appDirectory });
        builder.Services.AddGatewayFunctions(builder.Configuration, _appDirectory);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());
        Assert.Contains("functionTimeout 'soon' from host.json", error.Message, StringComparison.Ordinal);
    }

    private ServiceProvider Build(string hostJson, string? overrideSetting, Dictionary<string, string?>? settings = null)
    {
        if (hostJson != NoFile)
        {
            File.WriteAllText(Path.Combine(_appDirectory, "host.json"), hostJson);
        }

        settings ??= [];
        if (overrideSetting is not null)
        {
            settings[FunctionTimeoutReader.OverrideKey] = overrideSetting;
        }

        // No jitter, so a short derived deadline is still valid for StreamOptions' validator.
        settings["Gateway:Stream:DeadlineJitter"] = "00:00:00";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddGatewayFunctions(configuration, _appDirectory);
        return services.BuildServiceProvider();
    }
}
