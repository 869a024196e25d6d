using System.Text.Json.Nodes;
using Gateway.Infra.Tests.Infrastructure;

namespace Gateway.Infra.Tests;

/// <summary>
/// Least privilege in the compiled template: producers may send to <c>events</c> only, the gateway's rights sit on
/// the entities it uses, and the app has no basic-auth publishing credentials.
/// </summary>
[Collection(InfraCollection.Name)]
public sealed class LeastPrivilegeTests(CompiledInfra infra)
{
    private const string ServiceBusDataSender = "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39";

    [Fact]
    public void Producers_get_Data_Sender_on_the_events_topic_and_nothing_on_the_fanout_topic()
    {
        var bus = infra.Deploy(new Dictionary<string, JsonNode?> { ["producerPrincipalIds"] = new JsonArray("11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222") })
            .Module("servicebus");

        var producers = Assert.Single(bus.Resources("Microsoft.Authorization/roleAssignments"), r => r["copy"] is not null);

        // One assignment per producer id passed down from main.bicep.
        Assert.Equal(2, bus.Evaluator.Evaluate(JsonValue.Create("[parameters('producerPrincipalIds')]"))!.AsArray().Count);
        Assert.Equal("[length(parameters('producerPrincipalIds'))]", producers["copy"]!["count"]!.GetValue<string>());

        Assert.Equal(ServiceBusDataSender, bus.Evaluator.Evaluate(producers["properties"]!["roleDefinitionId"])!.GetValue<string>().Split('/')[^1]);
        Assert.Equal("Microsoft.ServiceBus/namespaces/topics/events", BicepTemplateTests.ScopeKind(bus.Evaluator.Evaluate(producers["scope"])!.GetValue<string>()));
    }

    [Fact]
    public void Producers_are_none_by_default()
    {
        var main = infra.Deploy();
        Assert.Empty(main.Evaluator.Evaluate(JsonValue.Create("[parameters('producerPrincipalIds')]"))!.AsArray());
    }

    [Fact]
    public void No_Service_Bus_role_is_granted_on_the_whole_namespace()
    {
        var deployment = infra.Deploy();
        var bus = deployment.Module("servicebus");
        var scopes = new[] { bus }
            .SelectMany(module => module.Resources("Microsoft.Authorization/roleAssignments").Select(r => module.Evaluator.Evaluate(r["scope"])!.GetValue<string>()))
            .Select(BicepTemplateTests.ScopeKind)
            .ToList();

        Assert.NotEmpty(scopes);
        Assert.All(scopes, s => Assert.StartsWith("Microsoft.ServiceBus/namespaces/topics/", s, StringComparison.Ordinal));
    }

    [Fact]
    public void Basic_auth_publishing_credentials_are_off_for_ftp_and_scm()
    {
        var functionApp = infra.Deploy().Module("functionapp");

        var policies = functionApp.Resources("Microsoft.Web/sites/basicPublishingCredentialsPolicies")
            .Select(functionApp.Evaluator.Evaluate)
            .ToDictionary(p => p!["name"]!.GetValue<string>().Split('/')[^1], p => p!["properties"]!["allow"]!.GetValue<bool>());

        Assert.Equal(new Dictionary<string, bool> { ["ftp"] = false, ["scm"] = false }, policies);
    }
}
