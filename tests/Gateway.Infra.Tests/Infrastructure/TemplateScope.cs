using System.Text.Json.Nodes;

namespace Gateway.Infra.Tests.Infrastructure;

/// <summary>One ARM template with the parameter values it was given: resolves its parameters and variables.</summary>
internal sealed class TemplateScope
{
    private readonly JsonObject _template;
    private readonly IReadOnlyDictionary<string, JsonNode?> _given;

    public TemplateScope(JsonObject template, IReadOnlyDictionary<string, JsonNode?> given)
    {
        _template = template;
        _given = given;
        Evaluator = new ArmExpressionEvaluator(Parameter, Variable);
    }

    public ArmExpressionEvaluator Evaluator { get; }

    public JsonObject Template => _template;

    /// <summary>The template of the module deployment <paramref name="name"/>, with the parameter values this scope passes it.</summary>
    public TemplateScope Module(string name)
    {
        var deployment = Resources().SingleOrDefault(r => r["type"]!.GetValue<string>() == "Microsoft.Resources/deployments" && r["name"]!.GetValue<string>() == name)
            ?? throw new InvalidOperationException($"No module '{name}' in the template.");
        var properties = deployment["properties"]!.AsObject();
        var given = properties["parameters"]!.AsObject()
            .ToDictionary(p => p.Key, p => Evaluator.Evaluate(p.Value!["value"]));
        return new TemplateScope(properties["template"]!.AsObject(), given);
    }

    /// <summary>The resources of this template (Bicep emits an array, or an object keyed by symbolic name).</summary>
    public IEnumerable<JsonObject> Resources() => _template["resources"] switch
    {
        JsonArray a => a.Select(r => r!.AsObject()),
        JsonObject o => o.Select(p => p.Value!.AsObject()),
        _ => [],
    };

    public IEnumerable<JsonObject> Resources(string type) =>
        Resources().Where(r => string.Equals(r["type"]!.GetValue<string>(), type, StringComparison.OrdinalIgnoreCase));

    private JsonNode? Parameter(string name)
    {
        if (_given.TryGetValue(name, out var value))
        {
            return value?.DeepClone();
        }

        var declared = _template["parameters"]?[name] ?? throw new InvalidOperationException($"Parameter '{name}' is not declared.");
        return declared.AsObject().TryGetPropertyValue("defaultValue", out var defaultValue)
            ? Evaluator.Evaluate(defaultValue)
            : throw new InvalidOperationException($"Parameter '{name}' has no value and no default.");
    }

    private JsonNode? Variable(string name) =>
        Evaluator.Evaluate(_template["variables"]?[name] ?? throw new InvalidOperationException($"Variable '{name}' is not declared."));
}
