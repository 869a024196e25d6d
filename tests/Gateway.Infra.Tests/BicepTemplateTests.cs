using System.Text.Json.Nodes;
using Gateway.Infra.Tests.Infrastructure;

namespace Gateway.Infra.Tests;

/// <summary>The Bicep compiles and lints clean, and the compiled template deploys what the gateway needs.</summary>
[Collection(InfraCollection.Name)]
public sealed class BicepTemplateTests(CompiledInfra infra)
{
    // Built-in role definition ids (the same in every tenant).
    private const string ServiceBusDataReceiver = "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0";
    private const string ServiceBusDataSender = "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39";
    private const string ServiceBusDataOwner = "090c5cfd-751d-490a-894a-3ce6f1109419";
    private const string StorageBlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string StorageTableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    private const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";

    [Fact]
    public async Task Bicep_build_and_lint_pass_with_no_warnings()
    {
        Assert.Empty(infra.BuildDiagnostics);

        // infra/bicepconfig.json raises every applicable linter rule to error, so a clean lint means no warnings.
        var lint = await BicepCli.RunAsync("lint", BuildLocations.MainBicep);
        Assert.True(lint.ExitCode == 0, $"bicep lint failed ({lint.ExitCode}):\n{lint.Output}");
        Assert.DoesNotContain("Warning", lint.Output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Error", lint.Output, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Function_app_runs_the_isolated_worker_on_flex_consumption_sized_for_long_lived_streams()
    {
        var functionApp = infra.Deploy().Module("functionapp");

        var plan = functionApp.Resources("Microsoft.Web/serverfarms").Single();
        Assert.Equal("FlexConsumption", plan["sku"]!["tier"]!.GetValue<string>());
        Assert.Equal("FC1", plan["sku"]!["name"]!.GetValue<string>());

        var site = functionApp.Evaluator.Evaluate(functionApp.Resources("Microsoft.Web/sites").Single()["properties"])!;
        var config = site["functionAppConfig"]!;
        Assert.Equal("dotnet-isolated", config["runtime"]!["name"]!.GetValue<string>());
        Assert.Equal("10.0", config["runtime"]!["version"]!.GetValue<string>());
        Assert.Equal(500, config["scaleAndConcurrency"]!["triggers"]!["http"]!["perInstanceConcurrency"]!.GetValue<long>());
        Assert.Equal(40, config["scaleAndConcurrency"]!["maximumInstanceCount"]!.GetValue<long>());
        Assert.True(site["httpsOnly"]!.GetValue<bool>());

        // The deployment package is read with the app's identity, not a storage key.
        Assert.Equal("UserAssignedIdentity", config["deployment"]!["storage"]!["authentication"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public void Service_bus_has_the_topics_and_the_durable_ingest_subscription_with_dead_lettering()
    {
        var bus = infra.Deploy().Module("servicebus");

        var ns = bus.Evaluator.Evaluate(bus.Resources("Microsoft.ServiceBus/namespaces").Single())!;
        Assert.Equal("Standard", ns["sku"]!["name"]!.GetValue<string>());
        Assert.True(ns["properties"]!["disableLocalAuth"]!.GetValue<bool>());

        var topics = bus.Resources("Microsoft.ServiceBus/namespaces/topics").Select(t => bus.Evaluator.Evaluate(t["name"])!.GetValue<string>()).ToList();
        Assert.Contains(topics, name => name.EndsWith("/events", StringComparison.Ordinal));
        Assert.Contains(topics, name => name.EndsWith("/events-fanout", StringComparison.Ordinal));

        var subscription = bus.Evaluator.Evaluate(bus.Resources("Microsoft.ServiceBus/namespaces/topics/subscriptions").Single())!;
        Assert.EndsWith("/events/gateway", subscription["name"]!.GetValue<string>(), StringComparison.Ordinal);
        var properties = subscription["properties"]!;
        Assert.False(properties["requiresSession"]!.GetValue<bool>());
        Assert.True(properties["deadLetteringOnMessageExpiration"]!.GetValue<bool>());
        Assert.InRange(properties["maxDeliveryCount"]!.GetValue<long>(), 5, 20);
        Assert.Equal("PT1M", properties["lockDuration"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_sessions_parameter_sets_requires_session_on_the_ingest_subscription_and_tells_the_gateway(bool sessions)
    {
        var deployment = infra.Deploy(new Dictionary<string, JsonNode?> { ["serviceBusSessions"] = JsonValue.Create(sessions) });

        var bus = deployment.Module("servicebus");
        var subscription = bus.Evaluator.Evaluate(bus.Resources("Microsoft.ServiceBus/namespaces/topics/subscriptions").Single())!;
        Assert.Equal(sessions, subscription["properties"]!["requiresSession"]!.GetValue<bool>());
        var settings = CompiledInfra.AppSettings(deployment.Module("functionapp"));
        Assert.Equal(sessions, bool.Parse(settings["Gateway__ServiceBus__Sessions"]));
    }

    [Fact]
    public void The_identity_gets_exactly_the_least_roles_each_on_the_narrowest_scope()
    {
        var deployment = infra.Deploy();
        var granted = new[] { "servicebus", "storage", "monitoring" }
            .Select(deployment.Module)
            // The gateway's own roles; the producers' (a copy loop, empty by default) are checked in LeastPrivilegeTests.
            .SelectMany(module => module.Resources("Microsoft.Authorization/roleAssignments").Where(r => r["copy"] is null).Select(module.Evaluator.Evaluate))
            .Select(assignment => (
                Role: assignment!["properties"]!["roleDefinitionId"]!.GetValue<string>().Split('/')[^1],
                Scope: assignment["scope"]!.GetValue<string>(),
                PrincipalType: assignment["properties"]!["principalType"]!.GetValue<string>()))
            .ToList();

        Assert.All(granted, g => Assert.Equal("ServicePrincipal", g.PrincipalType));
        Assert.Equal(
            new[]
            {
                (ServiceBusDataReceiver, "Microsoft.ServiceBus/namespaces/topics/events/subscriptions/gateway"),
                (ServiceBusDataSender, "Microsoft.ServiceBus/namespaces/topics/events"),
                (ServiceBusDataSender, "Microsoft.ServiceBus/namespaces/topics/events-fanout"),
                (ServiceBusDataOwner, "Microsoft.ServiceBus/namespaces/topics/events-fanout"),
                (StorageBlobDataOwner, "Microsoft.Storage/storageAccounts"),
                (StorageTableDataContributor, "Microsoft.Storage/storageAccounts/tableServices/default/tables/events"),
                (MonitoringMetricsPublisher, "Microsoft.Insights/components"),
            }.Order(),
            granted.Select(g => (g.Role, ScopeKind(g.Scope))).Order());
    }

    [Fact]
    public void Outputs_tell_a_producer_and_a_browser_where_to_go()
    {
        var outputs = infra.Root["outputs"]!.AsObject();
        foreach (var name in new[] { "STREAM_URL_PATTERN", "FUNCTION_APP_NAME", "SERVICEBUS_FULLY_QUALIFIED_NAMESPACE", "SERVICEBUS_TOPIC" })
        {
            Assert.True(outputs.ContainsKey(name), $"missing output {name}");
        }

        var streamUrl = infra.Deploy().Evaluator.Evaluate(outputs["STREAM_URL_PATTERN"]!["value"])!.GetValue<string>();
        Assert.StartsWith("https://", streamUrl, StringComparison.Ordinal);
        Assert.EndsWith("/api/channels/{channel}/stream", streamUrl, StringComparison.Ordinal);
    }

    /// <summary>".../providers/Microsoft.ServiceBus/namespaces/sb-x/topics/events-fanout" → "Microsoft.ServiceBus/namespaces/topics/events-fanout": the resource types, the top resource's own name dropped, child names kept.</summary>
    internal static string ScopeKind(string scope)
    {
        var parts = scope[(scope.IndexOf("/providers/", StringComparison.Ordinal) + "/providers/".Length)..].Split('/');
        var kept = new List<string> { parts[0], parts[1] };
        for (var i = 3; i + 1 < parts.Length; i += 2)
        {
            kept.Add(parts[i]);
            kept.Add(parts[i + 1]);
        }

        return string.Join('/', kept);
    }
}
