using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Gateway.Azure.Hosting;
using Gateway.Azure.ServiceBus;
using Gateway.Core.Options;
using Gateway.Functions.Deadline;
using Gateway.Functions.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gateway.Functions.Tests;

/// <summary>The root local.settings.sample.json, the file a developer copies to run <c>func start</c>.</summary>
public sealed class LocalSettingsSampleTests
{
    private const string ScheduleKey = "Gateway:Retention:Schedule";

    // Sections of Azure adapters whose options classes land with their own issues.
    private static readonly string[] AgreedAdapterSections = ["Gateway:Tables", "Gateway:ServiceBus"];

    private readonly Dictionary<string, string> _values = ReadValues();

    [Fact]
    public void Sample_runs_the_isolated_worker_against_local_storage()
    {
        Assert.Equal("dotnet-isolated", _values["FUNCTIONS_WORKER_RUNTIME"]);
        Assert.Equal("UseDevelopmentStorage=true", _values["AzureWebJobsStorage"]);
        Assert.Equal("UseDevelopmentStorage=true", _values[GatewayConnections.EventLogStorage]);
        Assert.All(_values.Keys, key => Assert.DoesNotContain(':', key)); // app settings nest with "__" on every OS
    }

    [Fact]
    public void Sample_binds_to_options_that_pass_the_start_up_validation()
    {
        using var services = BuildServices(Configuration(_values));

        // Exactly what ValidateOnStart runs when the worker starts: every registered option, through its validators.
        services.GetRequiredService<IStartupValidator>().Validate();

        // Every value the sample sets arrives in its option as written (nothing overrides it after binding).
        var optionTypes = OptionTypesBySection();
        var checkedSettings = 0;
        foreach (var (key, value) in _values.Select(v => (Key: Normalize(v.Key), v.Value)).Where(v => v.Key.StartsWith("Gateway:", StringComparison.Ordinal) && v.Key != ScheduleKey))
        {
            var split = key.LastIndexOf(':');
            var section = key[..split];

            // The sample sets no EventBus, so the Service Bus options are not bound (its values are the defaults).
            if (section == ServiceBusTransportOptions.SectionName)
            {
                continue;
            }

            var type = optionTypes[section];
            var accessor = typeof(IOptions<>).MakeGenericType(type);
            var options = accessor.GetProperty(nameof(IOptions<object>.Value))!.GetValue(services.GetRequiredService(accessor));
            var property = type.GetProperty(key[(split + 1)..])!;
            Assert.Equal(TypeDescriptor.GetConverter(property.PropertyType).ConvertFromInvariantString(value), property.GetValue(options));
            checkedSettings++;
        }

        Assert.True(checkedSettings >= 10, $"only {checkedSettings} sample settings reached an option");

        // The stream length is not a setting: the app's own host.json minus the sample's margin (at most its maximum).
        using var hostJson = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(TestLocations.FunctionsAppDirectory, "host.json")));
        var functionTimeout = TimeSpan.Parse(hostJson.RootElement.GetProperty("functionTimeout").GetString()!, CultureInfo.InvariantCulture);
        var margin = TimeSpan.Parse(_values["Gateway__Functions__SafetyMargin"], CultureInfo.InvariantCulture);
        var maximum = TimeSpan.Parse(_values["Gateway__Functions__MaxStreamDuration"], CultureInfo.InvariantCulture);
        Assert.Equal(functionTimeout - margin < maximum ? functionTimeout - margin : maximum, services.GetRequiredService<IOptions<StreamOptions>>().Value.MaxDuration);
    }

    [Fact]
    public void Every_gateway_setting_names_an_option_property()
    {
        var configuration = Configuration(_values.Where(v => Normalize(v.Key) != ScheduleKey));
        var optionTypes = OptionTypesBySection();
        Assert.Superset(
            new HashSet<string> { StreamOptions.SectionName, EventOptions.SectionName, RetentionOptions.SectionName, InMemoryOptions.SectionName, FunctionsDeadlineOptions.SectionName },
            optionTypes.Keys.ToHashSet());

        var sections = _values.Keys.Select(Normalize).Where(k => k.StartsWith("Gateway:", StringComparison.Ordinal) && k != ScheduleKey)
            .Select(k => k[..k.LastIndexOf(':')]).Distinct();
        foreach (var section in sections)
        {
            if (optionTypes.TryGetValue(section, out var type))
            {
                // Throws on a key that matches no property: a misspelt setting would otherwise be ignored silently.
                configuration.GetSection(section).Get(type, o => o.ErrorOnUnknownConfiguration = true);
            }
            else
            {
                Assert.Contains(section, AgreedAdapterSections);
            }
        }
    }

    [Fact]
    public void Retention_schedule_is_a_six_field_ncrontab_expression()
    {
        var fields = _values["Gateway__Retention__Schedule"].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(6, fields.Length);
        Assert.Equal("0", fields[0]); // on the minute, not every second
    }

    private static Dictionary<string, string> ReadValues()
    {
        var path = Path.Combine(TestLocations.RepositoryRoot, "local.settings.sample.json");
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        Assert.False(document.RootElement.GetProperty("IsEncrypted").GetBoolean());

        // The Core Tools accept only string values.
        return document.RootElement.GetProperty("Values").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : throw new InvalidOperationException($"{p.Name} is not a string."));
    }

    /// <summary>As the environment-variable configuration provider reads app settings: "__" nests.</summary>
    private static string Normalize(string key) => key.Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal);

    private static IConfiguration Configuration(IEnumerable<KeyValuePair<string, string>> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(Normalize(v.Key), v.Value))).Build();

    private static ServiceProvider BuildServices(IConfiguration configuration)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddGatewayFunctions(configuration, TestLocations.FunctionsAppDirectory);
        return services.BuildServiceProvider();
    }

    /// <summary>Every options class of the gateway's assemblies, by the section it declares.</summary>
    private static Dictionary<string, Type> OptionTypesBySection() =>
        new[] { typeof(StreamOptions).Assembly, typeof(GatewayConnections).Assembly, typeof(FunctionsDeadlineOptions).Assembly }
            .SelectMany(a => a.GetTypes())
            .Select(t => (Type: t, Field: t.GetField("SectionName", BindingFlags.Public | BindingFlags.Static)))
            .Where(x => x.Field is { IsLiteral: true } && x.Field.FieldType == typeof(string))
            .ToDictionary(x => (string)x.Field!.GetRawConstantValue()!, x => x.Type);
}
