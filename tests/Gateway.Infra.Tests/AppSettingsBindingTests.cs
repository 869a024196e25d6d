using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Messaging.ServiceBus;
using Gateway.Azure.Hosting;
using Gateway.Azure.Telemetry;
using Gateway.Core.Options;
using Gateway.Hosting.Composition;
using Gateway.Infra.Tests.Infrastructure;
using Gateway.Testing.Hosting;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gateway.Infra.Tests;

/// <summary>
/// The app settings the Bicep writes, taken from the compiled ARM JSON, bound through the gateway's real options,
/// validators and client registration, the way the Functions worker reads them (<c>__</c> is <c>:</c>).
/// </summary>
[Collection(InfraCollection.Name)]
public sealed class AppSettingsBindingTests(CompiledInfra infra)
{
    // What Azure fills in at deployment for the values the template takes from other resources' outputs.
    private static readonly Dictionary<string, string> DeploymentValues = new()
    {
        ["AzureWebJobsStorage__accountName"] = "stgwci",
        ["AzureWebJobsStorage__clientId"] = "11111111-2222-3333-4444-555555555555",
        ["EventLogStorage__tableServiceUri"] = "https://stgwci.table.core.windows.net/",
        ["EventLogStorage__clientId"] = "11111111-2222-3333-4444-555555555555",
        ["EventBus__fullyQualifiedNamespace"] = "sb-gateway-ci.servicebus.windows.net",
        ["EventBus__clientId"] = "11111111-2222-3333-4444-555555555555",
        ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/",
        ["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"] = "Authorization=AAD;ClientId=11111111-2222-3333-4444-555555555555",
    };

    [Fact]
    public void Only_the_expected_settings_wait_for_deployment_outputs_the_rest_are_literal()
    {
        var settings = CompiledInfra.AppSettings(infra.Deploy().Module("functionapp"));

        var deploymentTime = settings.Where(s => ArmExpressionEvaluator.IsDeploymentTime(s.Value)).Select(s => s.Key).Order();
        Assert.Equal(DeploymentValues.Keys.Order(), deploymentTime);
    }

    [Fact]
    public void Identity_based_connections_are_complete_and_hold_no_secret()
    {
        var configuration = DeployedConfiguration();

        foreach (var connection in new[] { "AzureWebJobsStorage", "EventLogStorage", "EventBus" })
        {
            Assert.Equal("managedidentity", configuration[$"{connection}:credential"]);
            Assert.False(string.IsNullOrWhiteSpace(configuration[$"{connection}:clientId"]), $"{connection}:clientId is missing");
            Assert.Null(configuration[connection]); // no connection string beside the identity settings
        }

        Assert.False(string.IsNullOrWhiteSpace(configuration["EventLogStorage:tableServiceUri"]));
        Assert.False(string.IsNullOrWhiteSpace(configuration["EventBus:fullyQualifiedNamespace"]));
        Assert.False(string.IsNullOrWhiteSpace(configuration["AzureWebJobsStorage:accountName"]));
        Assert.StartsWith("Authorization=AAD;ClientId=", configuration[ApplicationInsightsAuthentication.SettingName], StringComparison.Ordinal);

        Assert.DoesNotContain(configuration.AsEnumerable(), setting =>
            setting.Value is { } value
            && (value.Contains("AccountKey=", StringComparison.OrdinalIgnoreCase) || value.Contains("SharedAccessKey", StringComparison.OrdinalIgnoreCase)));
    }

    [Fact]
    public void Gateway_settings_bind_to_valid_options()
    {
        using var services = BuildServices(DeployedConfiguration());

        services.GetRequiredService<IStartupValidator>().Validate();

        // Each Stream and Retention setting the template writes reaches its option as written (not the option's default).
        var configuration = DeployedConfiguration();
        var stream = services.GetRequiredService<IOptions<StreamOptions>>().Value;
        var retention = services.GetRequiredService<IOptions<RetentionOptions>>().Value;
        var bound = 0;
        foreach (var (section, options) in new (string, object)[] { (StreamOptions.SectionName, stream), (RetentionOptions.SectionName, retention) })
        {
            foreach (var setting in configuration.GetSection(section).GetChildren())
            {
                var property = options.GetType().GetProperty(setting.Key);
                if (property is null)
                {
                    continue; // e.g. Gateway:Retention:Schedule, read by the timer trigger, not an option
                }

                Assert.Equal(TypeDescriptor.GetConverter(property.PropertyType).ConvertFromInvariantString(setting.Value!), property.GetValue(options));
                bound++;
            }
        }

        Assert.True(bound >= 4, $"only {bound} Stream/Retention settings in the template");
    }

    [Fact]
    public void Functions_host_settings_are_present_in_the_form_the_functions_app_reads()
    {
        var configuration = DeployedConfiguration();

        // Read by the Functions app (Gateway:Functions, and the timer's %Gateway:Retention:Schedule% expression, which
        // the host cannot index the function without).
        // A stream length the app can honour: positive and within the functionTimeout of the app's host.json.
        using var hostJson = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(BuildLocations.RepositoryRoot, "host.json")));
        var functionTimeout = TimeSpan.Parse(hostJson.RootElement.GetProperty("functionTimeout").GetString()!, CultureInfo.InvariantCulture);
        Assert.InRange(TimeSpan.Parse(configuration["Gateway:Functions:MaxStreamDuration"]!, CultureInfo.InvariantCulture), TimeSpan.FromSeconds(1), functionTimeout);
        Assert.Equal(6, configuration["Gateway:Retention:Schedule"]!.Split(' ').Length);
        Assert.Equal("events", configuration["Gateway:Tables:TableName"]);
        Assert.Equal("events", configuration["Gateway:ServiceBus:Topic"]);
        Assert.Equal("gateway", configuration["Gateway:ServiceBus:Subscription"]);
        Assert.Equal("events-fanout", configuration["Gateway:ServiceBus:FanoutTopic"]);
    }

    [Fact]
    public async Task The_transport_connects_to_service_bus_with_the_identity_settings()
    {
        await using var services = BuildServices(DeployedConfiguration());

        services.GetRequiredService<IStartupValidator>().Validate();

        Assert.Equal("sb-gateway-ci.servicebus.windows.net", services.GetRequiredService<ServiceBusClient>().FullyQualifiedNamespace);
        Assert.Equal("ServiceBusEventBus", services.GetRequiredService<Gateway.Core.Bus.IEventBus>().GetType().Name);
    }

    [Fact]
    public async Task The_transport_connects_to_the_table_log_with_the_identity_settings()
    {
        await using var services = BuildServices(DeployedConfiguration());

        services.GetRequiredService<IStartupValidator>().Validate();

        var tables = services.GetRequiredService<IAzureClientFactory<TableServiceClient>>().CreateClient(GatewayConnections.EventLogStorage);
        Assert.Equal("stgwci", tables.AccountName);
        Assert.Equal("TableEventLog", services.GetRequiredService<Gateway.Core.Log.IEventLog>().GetType().Name);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_sessions_parameter_reaches_the_service_bus_options(bool sessions)
    {
        var overrides = new Dictionary<string, JsonNode?> { ["serviceBusSessions"] = JsonValue.Create(sessions) };
        using var services = BuildServices(DeployedConfiguration(overrides));

        services.GetRequiredService<IStartupValidator>().Validate();

        Assert.Equal(sessions, services.GetRequiredService<IOptions<Gateway.Azure.ServiceBus.ServiceBusTransportOptions>>().Value.Sessions);
    }

    [Fact]
    public void A_bad_parameter_value_fails_start_up_naming_the_setting()
    {
        var overrides = new Dictionary<string, JsonNode?> { ["streamHeartbeatInterval"] = JsonValue.Create("00:00:00.010") };
        using var services = BuildServices(DeployedConfiguration(overrides));

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("Gateway:Stream:HeartbeatInterval", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_telemetry_authentication_setting_selects_the_user_assigned_identity()
    {
        var configuration = DeployedConfiguration();

        var credential = ApplicationInsightsAuthentication.CredentialFrom(configuration[ApplicationInsightsAuthentication.SettingName]);

        Assert.IsType<ManagedIdentityCredential>(credential);
        Assert.Throws<InvalidOperationException>(() => ApplicationInsightsAuthentication.CredentialFrom("Authorization=Key"));
    }

    private IConfiguration DeployedConfiguration(IReadOnlyDictionary<string, JsonNode?>? overrides = null)
    {
        var settings = CompiledInfra.AppSettings(infra.Deploy(overrides).Module("functionapp"))
            .ToDictionary(s => s.Key, s => ArmExpressionEvaluator.IsDeploymentTime(s.Value) ? DeploymentValues[s.Key] : s.Value);

        // App settings reach .NET as environment variables, where '__' separates sections.
        return new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key.Replace("__", ":", StringComparison.Ordinal), (string?)s.Value)))
            .Build();
    }

    /// <summary>The services the server host registers from these settings (<c>GatewayServer.Build</c>, never started).</summary>
    private static GatewayServices BuildServices(IConfiguration configuration) => GatewayServices.Build(configuration.AsEnumerable());
}
