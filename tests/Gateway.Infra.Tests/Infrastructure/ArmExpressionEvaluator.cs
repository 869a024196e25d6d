using System.Globalization;
using System.Text.Json.Nodes;

namespace Gateway.Infra.Tests.Infrastructure;

/// <summary>
/// Evaluates the part of the ARM template language the gateway's compiled Bicep uses for app settings:
/// <c>parameters()</c>, <c>variables()</c>, <c>format()</c>, <c>union()</c>, <c>string()</c>, <c>concat()</c>,
/// <c>toLower()</c>, <c>resourceId()</c>, <c>subscriptionResourceId()</c>, string and number literals, property and index access. Anything known only at deployment
/// (<c>reference()</c>, <c>subscription()</c>, …) evaluates to a marker <c>&lt;name()&gt;</c>, so a setting that
/// depends on it is still seen as present without pretending to know its value.
/// </summary>
internal sealed class ArmExpressionEvaluator(Func<string, JsonNode?> parameter, Func<string, JsonNode?> variable)
{
    /// <summary>True when <paramref name="value"/> holds a part known only at deployment.</summary>
    public static bool IsDeploymentTime(string value) => value.Contains("()>", StringComparison.Ordinal);

    /// <summary>Evaluates every expression string inside <paramref name="node"/> (objects and arrays recursively).</summary>
    public JsonNode? Evaluate(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, Evaluate(p.Value)))),
        JsonArray a => new JsonArray(a.Select(Evaluate).ToArray()),
        JsonValue v when v.TryGetValue<string>(out var s) => EvaluateString(s),
        _ => node?.DeepClone(),
    };

    private JsonNode? EvaluateString(string text)
    {
        if (text.StartsWith("[[", StringComparison.Ordinal))
        {
            return JsonValue.Create(text[1..]); // an escaped literal that starts with '['
        }

        if (!text.StartsWith('[') || !text.EndsWith(']'))
        {
            return JsonValue.Create(text);
        }

        var parser = new Parser(text[1..^1], this);
        var result = parser.ParseExpression();
        parser.ExpectEnd();
        return result;
    }

    private JsonNode? Call(string name, List<JsonNode?> args) => name.ToLowerInvariant() switch
    {
        "parameters" => parameter(AsString(args[0])),
        "variables" => variable(AsString(args[0])),
        "format" => JsonValue.Create(string.Format(CultureInfo.InvariantCulture, AsString(args[0]), args.Skip(1).Select(a => (object)AsString(a)).ToArray())),
        "string" => JsonValue.Create(AsString(args[0])),
        "tolower" => JsonValue.Create(AsString(args[0]).ToLowerInvariant()),
        "concat" => args.All(a => a is JsonArray)
            ? new JsonArray(args.SelectMany(a => a!.AsArray()).Select(n => n?.DeepClone()).ToArray())
            : JsonValue.Create(string.Concat(args.Select(AsString))),
        "union" => Union(args),
        "subscriptionresourceid" => JsonValue.Create("/subscriptions/<subscription()>" + ProviderPath(args)),
        "resourceid" => JsonValue.Create("/subscriptions/<subscription()>/resourceGroups/<resourceGroup()>" + ProviderPath(args)),
        _ => JsonValue.Create($"<{name}()>"),
    };

    /// <summary>(type 'A.B/x/y', names n1, n2) → '/providers/A.B/x/n1/y/n2' (leading scope arguments, without a '/', are dropped).</summary>
    private static string ProviderPath(List<JsonNode?> args)
    {
        var values = args.Select(AsString).SkipWhile(a => !a.Contains('/', StringComparison.Ordinal)).ToList();
        var types = values[0].Split('/');
        var path = new System.Text.StringBuilder("/providers/").Append(types[0]);
        for (var i = 1; i < types.Length; i++)
        {
            path.Append('/').Append(types[i]).Append('/').Append(values[i]);
        }

        return path.ToString();
    }

    private static JsonObject Union(List<JsonNode?> args)
    {
        var merged = new JsonObject();
        foreach (var arg in args)
        {
            foreach (var (key, value) in arg!.AsObject())
            {
                merged[key] = value?.DeepClone();
            }
        }

        return merged;
    }

    private static string AsString(JsonNode? node) => node switch
    {
        null => "null",
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => node.ToJsonString(),
    };

    private static JsonNode? Member(JsonNode? target, JsonNode? key) => target switch
    {
        JsonObject o => o[AsString(key)],
        JsonArray a => a[int.Parse(AsString(key), CultureInfo.InvariantCulture)],
        _ => target, // a marker stays a marker: the property of an unknown value is unknown
    };

    private sealed class Parser(string text, ArmExpressionEvaluator evaluator)
    {
        private int _at;

        public JsonNode? ParseExpression()
        {
            var value = ParsePrimary();
            while (true)
            {
                SkipSpace();
                if (TryTake('.'))
                {
                    value = Member(value, JsonValue.Create(ParseIdentifier()));
                }
                else if (TryTake('['))
                {
                    var key = ParseExpression();
                    Take(']');
                    value = Member(value, key);
                }
                else
                {
                    return value;
                }
            }
        }

        public void ExpectEnd()
        {
            SkipSpace();
            if (_at != text.Length)
            {
                throw new FormatException($"Unexpected '{text[_at..]}' in expression '{text}'.");
            }
        }

        private JsonNode? ParsePrimary()
        {
            SkipSpace();
            if (TryTake('\''))
            {
                return JsonValue.Create(ParseStringRest());
            }

            if (_at < text.Length && (char.IsDigit(text[_at]) || text[_at] == '-'))
            {
                var start = _at++;
                while (_at < text.Length && char.IsDigit(text[_at]))
                {
                    _at++;
                }

                return JsonValue.Create(long.Parse(text[start.._at], CultureInfo.InvariantCulture));
            }

            var name = ParseIdentifier();
            Take('(');
            var args = new List<JsonNode?>();
            SkipSpace();
            if (!TryTake(')'))
            {
                do
                {
                    args.Add(ParseExpression());
                    SkipSpace();
                }
                while (TryTake(','));
                Take(')');
            }

            return evaluator.Call(name, args);
        }

        private string ParseStringRest()
        {
            var result = new System.Text.StringBuilder();
            while (true)
            {
                if (_at >= text.Length)
                {
                    throw new FormatException($"Unterminated string in expression '{text}'.");
                }

                var c = text[_at++];
                if (c != '\'')
                {
                    result.Append(c);
                }
                else if (_at < text.Length && text[_at] == '\'')
                {
                    result.Append('\'');
                    _at++;
                }
                else
                {
                    return result.ToString();
                }
            }
        }

        private string ParseIdentifier()
        {
            SkipSpace();
            var start = _at;
            while (_at < text.Length && (char.IsLetterOrDigit(text[_at]) || text[_at] == '_'))
            {
                _at++;
            }

            return _at > start ? text[start.._at] : throw new FormatException($"Expected a name at {start} in expression '{text}'.");
        }

        private void SkipSpace()
        {
            while (_at < text.Length && char.IsWhiteSpace(text[_at]))
            {
                _at++;
            }
        }

        private bool TryTake(char c)
        {
            SkipSpace();
            if (_at < text.Length && text[_at] == c)
            {
                _at++;
                return true;
            }

            return false;
        }

        private void Take(char c)
        {
            if (!TryTake(c))
            {
                throw new FormatException($"Expected '{c}' at {_at} in expression '{text}'.");
            }
        }
    }
}
