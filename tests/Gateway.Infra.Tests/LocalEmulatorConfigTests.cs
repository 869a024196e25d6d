using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Azure.Hosting;
using Gateway.Azure.ServiceBus;
using Gateway.Infra.Tests.Infrastructure;
using Json.Schema;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gateway.Infra.Tests;

/// <summary>
/// The local Service Bus for <c>func start</c> (<c>infra/local</c>): Microsoft's emulator creates entities only from its
/// <c>Config.json</c>, so that file must be one the emulator accepts and must name exactly what the gateway uses. Docker
/// does not run here: the file is checked against the emulator's published schema, the names against the gateway's
/// real options, and the compose file as text.
/// </summary>
public sealed class LocalEmulatorConfigTests
{
    private static readonly string LocalFolder = Path.Combine(BuildLocations.InfraFolder, "local");
    private static readonly string ConfigPath = Path.Combine(LocalFolder, "servicebus-emulator", "Config.json");
    private static readonly string SchemaPath = Path.Combine(LocalFolder, "servicebus-emulator", "schema", "Config-schema.json");
    private static readonly string SettingsPath = Path.Combine(LocalFolder, "local.settings.emulator.json");
    private static readonly string ComposePath = Path.Combine(LocalFolder, "compose.yaml");

    [Fact]
    public void Config_json_is_valid_against_the_emulators_published_schema()
    {
        var result = Validate(JsonNode.Parse(File.ReadAllText(ConfigPath)));

        Assert.True(result.IsValid, Describe(result));
    }

    [Fact]
    public void The_schema_check_refuses_what_the_emulator_would_refuse()
    {
        // The check is not vacuous: values beyond the emulator's limits, or a second namespace, fail it.
        var tooManyDeliveries = JsonNode.Parse(File.ReadAllText(ConfigPath))!;
        tooManyDeliveries["UserConfig"]!["Namespaces"]![0]!["Topics"]![0]!["Subscriptions"]![0]!["Properties"]!["MaxDeliveryCount"] = 11;
        Assert.False(Validate(tooManyDeliveries).IsValid);

        var otherNamespace = JsonNode.Parse(File.ReadAllText(ConfigPath))!;
        otherNamespace["UserConfig"]!["Namespaces"]![0]!["Name"] = "gateway";
        Assert.False(Validate(otherNamespace).IsValid);

        var noSubscription = JsonNode.Parse(File.ReadAllText(ConfigPath))!;
        noSubscription["UserConfig"]!["Namespaces"]![0]!["Topics"]![1]!["Subscriptions"] = new JsonArray();
        Assert.False(Validate(noSubscription).IsValid);
    }

    [Fact]
    public void Config_json_declares_what_the_emulator_settings_make_the_gateway_use()
    {
        var options = GatewayOptionsFromEmulatorSettings(out var subscription);
        var topics = TopicsInConfig();

        // Exactly the gateway's two topics: events (producers) with the durable ingest subscription, and the fan-out
        // topic with the one fixed subscription this instance reads — the emulator cannot create it at run time.
        Assert.Equal([options.Topic, options.FanoutTopic], topics.Keys.Order(StringComparer.Ordinal));
        Assert.Equal([options.Subscription], topics[options.Topic]);
        Assert.True(subscription.IsFixed, "the emulator settings must name a fixed fan-out subscription (Gateway__ServiceBus__FanoutSubscription)");
        Assert.Equal([subscription.Name], topics[options.FanoutTopic]);
    }

    [Fact]
    public void The_emulator_settings_use_the_gateways_default_entity_names()
    {
        // The README's producer examples and the infra use the defaults; the emulator must not drift from them.
        var options = GatewayOptionsFromEmulatorSettings(out _);
        var defaults = new ServiceBusTransportOptions();

        Assert.Equal((defaults.Topic, defaults.Subscription, defaults.FanoutTopic), (options.Topic, options.Subscription, options.FanoutTopic));
    }

    [Fact]
    public void The_emulator_settings_are_the_sample_settings_plus_the_emulator_connection()
    {
        var sample = Values(Path.Combine(BuildLocations.RepositoryRoot, "local.settings.sample.json"));
        var emulator = Values(SettingsPath);

        var added = emulator.Keys.Except(sample.Keys).Order(StringComparer.Ordinal);
        Assert.Equal(["EventBus", "Gateway__ServiceBus__FanoutSubscription"], added);
        foreach (var (key, value) in sample)
        {
            Assert.True(emulator.TryGetValue(key, out var emulatorValue), $"{key} is in local.settings.sample.json but not in {SettingsPath}: add it there too.");
            Assert.Equal(value, emulatorValue);
        }

        // The form Microsoft documents for the emulator on the same machine; the SDK reads UseDevelopmentEmulator.
        Assert.Equal(
            "Endpoint=sb://localhost;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;",
            emulator["EventBus"]);
    }

    [Fact]
    public void The_compose_file_mounts_Config_json_into_the_emulator_and_starts_its_database_and_Azurite()
    {
        // No YAML package in the repository: a textual check of the lines that matter.
        var compose = File.ReadAllLines(ComposePath).Select(l => l.Trim()).Where(l => !l.StartsWith('#')).ToList();

        Assert.Contains("- ./servicebus-emulator/Config.json:/ServiceBus_Emulator/ConfigFiles/Config.json:ro", compose);
        Assert.True(File.Exists(Path.Combine(LocalFolder, "servicebus-emulator", "Config.json")));
        Assert.Contains("image: mcr.microsoft.com/azure-messaging/servicebus-emulator:latest", compose);
        Assert.Contains("image: mcr.microsoft.com/azure-sql-edge:latest", compose);
        Assert.Contains("SQL_SERVER: sqledge", compose);
        Assert.Contains("image: mcr.microsoft.com/azure-storage/azurite:latest", compose);
        foreach (var port in new[] { "5672", "10000", "10001", "10002" })
        {
            Assert.Contains($"- \"{port}:{port}\"", compose);
        }
    }

    private static EvaluationResults Validate(JsonNode? config)
    {
        var schema = JsonSchema.FromText(File.ReadAllText(SchemaPath));
        return schema.Evaluate(JsonSerializer.SerializeToElement(config), new EvaluationOptions { OutputFormat = OutputFormat.List });
    }

    private static string Describe(EvaluationResults result) =>
        string.Join('\n', (result.Details ?? []).Where(d => d.Errors is not null)
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key}: {e.Value}")));

    /// <summary>Topic name → its subscription names, from Config.json's one namespace.</summary>
    private static Dictionary<string, string[]> TopicsInConfig()
    {
        var config = JsonNode.Parse(File.ReadAllText(ConfigPath))!;
        var topics = config["UserConfig"]!["Namespaces"]!.AsArray().Single()!["Topics"]!.AsArray();
        return topics.ToDictionary(
            t => (string)t!["Name"]!,
            t => t!["Subscriptions"]!.AsArray().Select(s => (string)s!["Name"]!).ToArray());
    }

    /// <summary>
    /// The emulator settings bound the way the Functions worker binds them (<c>__</c> is <c>:</c>) through the gateway's
    /// real registration, options validator and fan-out subscription.
    /// </summary>
    private static ServiceBusTransportOptions GatewayOptionsFromEmulatorSettings(out FanoutSubscription subscription)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(Values(SettingsPath).Select(kv => KeyValuePair.Create(kv.Key.Replace("__", ":", StringComparison.Ordinal), (string?)kv.Value)))
            .Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration);
        services.AddServiceBusTransport(configuration, configuration.GetSection("EventBus"));
        var provider = services.BuildServiceProvider();
        subscription = provider.GetRequiredService<FanoutSubscription>();
        return provider.GetRequiredService<IOptions<ServiceBusTransportOptions>>().Value; // runs the validator
    }

    private static Dictionary<string, string> Values(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        return document.RootElement.GetProperty("Values").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
    }
}
