using System.Text;
using Gateway.Client.Producers;
using Gateway.Testing.BadInput;

namespace Gateway.Client.Tests.Producers;

/// <summary>
/// The producer helper refuses exactly what the gateway's ingest dead-letters, with the same reason and the same words:
/// over the repository's bad-input corpus (its Service Bus cases) and over seeded random inputs aimed at the rules' edges.
/// The rules are one source file compiled into both assemblies; this keeps anyone from adding a check on one side only.
/// </summary>
public sealed class RuleAgreementTests(IngestRulesHost gateway) : IClassFixture<IngestRulesHost>
{
    /// <summary>The corpus's limits (<c>Gateway:Events:MaxDataBytes=1024</c>), given to the client as a producer of that gateway would.</summary>
    private static readonly GatewayEventLimits CorpusLimits = new()
    {
        MaxDataBytes = int.Parse(BadInputCorpus.GatewaySettings.Single(s => s.Key == "Gateway:Events:MaxDataBytes").Value, System.Globalization.CultureInfo.InvariantCulture),
        MaxEventNameLength = int.Parse(BadInputCorpus.GatewaySettings.Single(s => s.Key == "Gateway:Events:MaxEventNameLength").Value, System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// The corpus's bus cases a producer can write with the helper: a string channel (or none). A channel property of
    /// another type (int, bool, GUID) cannot be written through its string parameter, so those cases cannot occur.
    /// </summary>
    public static TheoryData<string> ExpressibleBusCases() =>
        [.. BadInputCorpus.Bus.Where(c => c.ChannelKind is "string" or "null" or "absent").Select(c => c.Id)];

    [Theory]
    [MemberData(nameof(ExpressibleBusCases))]
    public async Task A_bus_corpus_case_is_refused_by_the_producer_exactly_as_ingest_dead_letters_it(string id)
    {
        var @case = BadInputCorpus.BusCase(id);
        var channel = @case.ChannelKind == "string" ? @case.Channel : null;
        var data = @case.BodyBytes();

        var ingest = await gateway.IngestAsync(channel, @case.Subject, data);
        var producer = GatewayEventRules.Check(channel, @case.Subject, data, CorpusLimits);

        Assert.NotNull(ingest);
        Assert.NotNull(producer);
        Assert.Equal(ingest.Value, (producer.Reason, producer.Description));
        Assert.Equal(@case.Reason, producer.Reason);
        if (@case.ChannelKind == "string")
        {
            // Absent or null: the gateway names the missing property before the ingestor sees it; the helper has no property to miss.
            Assert.Contains(@case.Description, producer.Description, StringComparison.Ordinal);
        }

        var thrown = Assert.Throws<InvalidGatewayEventException>(() => GatewayMessages.Create(channel!, data, @case.Subject, limits: CorpusLimits));
        Assert.Equal(@case.Reason, thrown.Reason);
    }

    /// <summary>
    /// Cases of the corpus's HTTP publishes whose channel, event name and data a .NET producer can pass to the helper
    /// (plain bodies, no content-type or framing tricks). Left out, because a .NET string cannot carry them or they are
    /// about routing, not the rules: a channel with '/' or a dot segment (another route), event names whose percent-encoded
    /// bytes are not UTF-8 (refused while the query is decoded).
    /// </summary>
    public static TheoryData<string> ExpressibleHttpPublishCases() =>
    [
        .. BadInputCorpus.Http
            .Where(c => c.Method == "POST" && c.Target.StartsWith("/api/channels/", StringComparison.Ordinal) && c.Target.Contains("/events", StringComparison.Ordinal))
            .Where(c => !c.Chunked && c.ContentLength is null && c.Stall == default && c.Headers.Count == 0 && c.RepeatQuery is null)
            .Where(c => c.Expect.Status is "2xx" or "400" or "413")
            .Where(c => c.Id is not ("channel-slash" or "path-traversal-dot-segment" or "event-name-invalid-utf8" or "event-name-overlong-utf8" or "event-name-lone-surrogate"))
            .Select(c => c.Id),
    ];

    [Theory]
    [MemberData(nameof(ExpressibleHttpPublishCases))]
    public void An_http_corpus_publish_gets_the_verdict_and_detail_the_gateway_gives(string id)
    {
        var @case = BadInputCorpus.HttpCase(id);
        var path = @case.Target.Split('?')[0];
        var channel = Uri.UnescapeDataString(path["/api/channels/".Length..path.LastIndexOf("/events", StringComparison.Ordinal)]);
        var query = @case.Target.Contains('?', StringComparison.Ordinal) ? @case.Target[(@case.Target.IndexOf('?', StringComparison.Ordinal) + 1)..] : string.Empty;

        // The gateway reads the last 'event' parameter, as ASP.NET Core's query binding does for a single value.
        var eventName = query.Split('&').Where(p => p.StartsWith("event=", StringComparison.Ordinal)).Select(p => Uri.UnescapeDataString(p["event=".Length..])).LastOrDefault();

        var producer = GatewayEventRules.Check(channel, eventName, @case.BodyBytes(), CorpusLimits);

        if (@case.Expect.Status == "2xx")
        {
            Assert.Null(producer);
        }
        else
        {
            Assert.NotNull(producer);
            Assert.Contains(@case.Expect.Detail!, producer.Description, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Seeded_random_events_get_the_same_verdict_from_the_producer_and_from_ingest()
    {
        var random = new Random(20261201);
        var refused = 0;
        for (var i = 0; i < 400; i++)
        {
            var channel = RandomChannel(random);
            var eventName = RandomEventName(random);
            var data = RandomData(random);

            var ingest = await gateway.IngestAsync(channel, eventName, data);
            var producer = GatewayEventRules.Check(channel, eventName, data, CorpusLimits);

            var what = $"channel {Show(channel)}, event {Show(eventName)}, {data.Length} bytes";
            Assert.True(ingest.HasValue == producer is not null, $"Ingest {(ingest.HasValue ? "refused" : "accepted")} but the producer {(producer is null ? "accepted" : "refused")}: {what}");
            if (producer is not null)
            {
                refused++;
                Assert.Equal(ingest!.Value, (producer.Reason, producer.Description));
            }
        }

        // The generators must hit both sides of the rules, or the comparison proves little.
        Assert.InRange(refused, 100, 300);
    }

    [Fact]
    public void A_valid_event_becomes_the_message_the_gateway_ingests()
    {
        var message = GatewayMessages.Create("stocks.msft", "{\"price\":1}", "price", messageId: "m-1");

        Assert.Equal("stocks.msft", message.ApplicationProperties[GatewayMessages.ChannelProperty]);
        Assert.Equal("price", message.Subject);
        Assert.Equal("{\"price\":1}", message.Body.ToString());
        Assert.Equal("m-1", message.MessageId);
        Assert.Equal("stocks.msft", message.SessionId);
        Assert.Equal("text/plain; charset=utf-8", message.ContentType);
        Assert.False(string.IsNullOrEmpty(GatewayMessages.Create("a", "x").MessageId));
        Assert.NotEqual(GatewayMessages.Create("a", "x").MessageId, GatewayMessages.Create("a", "x").MessageId);
    }

    [Fact]
    public void The_message_id_for_an_idempotency_key_is_the_one_the_gateways_http_publish_sends()
    {
        Assert.Equal(Gateway.Core.Bus.IdempotencyKey.MessageIdOf("orders", "order-42"), GatewayMessages.MessageIdFor("orders", "order-42"));
        Assert.NotEqual(GatewayMessages.MessageIdFor("orders", "order-42"), GatewayMessages.MessageIdFor("billing", "order-42"));
        Assert.Throws<ArgumentException>(() => GatewayMessages.MessageIdFor("orders", "has space"));
    }

    private static readonly string[] ChannelPieces = ["a", "Z", "9", "-", "_", ".", ":", "/", " ", "é", "\0", "\n", "#", "?", "%", "\\", "😀", "!"];

    private static readonly string[] NamePieces = ["tick", "é", "😀", "\r", "\n", "\0", " ", ":", "\uD800", "\uDC00", "reset", "Reset"];

    private static string? RandomChannel(Random random) => random.Next(20) switch
    {
        0 => null,
        1 => string.Empty,
        2 => new string('c', 120 + random.Next(16)),
        < 12 => "ch" + random.Next(1000),
        _ => Concat(random, ChannelPieces, 1 + random.Next(6)),
    };

    private static string? RandomEventName(Random random) => random.Next(12) switch
    {
        0 or 1 or 2 => null,
        3 => string.Empty,
        4 => new string('n', 120 + random.Next(16)),
        5 => "reset",
        < 9 => "tick",
        _ => Concat(random, NamePieces, 1 + random.Next(3)),
    };

    private static byte[] RandomData(Random random)
    {
        switch (random.Next(10))
        {
            case 0:
                return new byte[CorpusLimits.MaxDataBytes + random.Next(-2, 3)].Select(_ => (byte)'x').ToArray();
            case 1:
                var bytes = new byte[1 + random.Next(8)];
                random.NextBytes(bytes);
                return bytes;
            case 2:
                return [];
            default:
                return Encoding.UTF8.GetBytes("data " + random.Next());
        }
    }

    private static string Concat(Random random, string[] pieces, int count) =>
        string.Concat(Enumerable.Range(0, count).Select(_ => pieces[random.Next(pieces.Length)]));

    private static string Show(string? s) => s is null ? "null" : "\"" + string.Concat(s.Select(c => c is < ' ' or > '~' ? $"\\u{(int)c:X4}" : c.ToString())) + "\"";
}
