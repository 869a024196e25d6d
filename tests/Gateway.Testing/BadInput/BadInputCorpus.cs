using System.Text.Json;

namespace Gateway.Testing.BadInput;

/// <summary>
/// The bad-input corpus (<c>corpus.json</c>, embedded in this kit so every test project reads the same file): HTTP
/// cases for both hosts and Service Bus cases for ingest. Tests take them as theory data.
/// </summary>
public static class BadInputCorpus
{
    /// <summary>The gateway settings the corpus is written for (its limits appear in the expected details).</summary>
    public static readonly (string Key, string Value)[] GatewaySettings =
    [
        ("Gateway:Events:MaxDataBytes", "1024"),
        ("Gateway:Events:MaxEventNameLength", "128"),
    ];

    /// <summary>
    /// Kestrel's limits, small so the slow-request cases end in a second or two: a 1 s header timeout, at least
    /// 100 B/s of body after a 2 s grace, 8 KiB of headers. The server binds them from <c>Kestrel:Limits</c>.
    /// </summary>
    public static readonly (string Key, string Value)[] KestrelSettings =
    [
        ("Kestrel:Limits:RequestHeadersTimeout", "00:00:01"),
        ("Kestrel:Limits:MinRequestBodyDataRate:BytesPerSecond", "100"),
        ("Kestrel:Limits:MinRequestBodyDataRate:GracePeriod", "00:00:02"),
        ("Kestrel:Limits:MaxRequestHeadersTotalSize", "8192"),
    ];

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    private static readonly Lazy<Corpus> Loaded = new(Load);

    public static IReadOnlyList<HttpBadInputCase> Http => Loaded.Value.Http;

    public static IReadOnlyList<BusBadInputCase> Bus => Loaded.Value.Bus;

    public static HttpBadInputCase HttpCase(string id) => Http.Single(c => c.Id == id);

    public static BusBadInputCase BusCase(string id) => Bus.Single(c => c.Id == id);

    private static Corpus Load()
    {
        using var stream = typeof(BadInputCorpus).Assembly.GetManifestResourceStream("Gateway.Testing.BadInput.corpus.json")
            ?? throw new InvalidOperationException("corpus.json is not embedded in the test kit.");
        var corpus = JsonSerializer.Deserialize<Corpus>(stream, JsonOptions) ?? throw new InvalidOperationException("corpus.json is empty.");
        var duplicate = corpus.Http.Select(c => c.Id).Concat(corpus.Bus.Select(c => c.Id)).GroupBy(id => id).FirstOrDefault(g => g.Count() > 1);
        return duplicate is null ? corpus : throw new InvalidOperationException($"corpus.json has two cases named '{duplicate.Key}'.");
    }

    private sealed record Corpus(IReadOnlyList<HttpBadInputCase> Http, IReadOnlyList<BusBadInputCase> Bus);
}
