using System.Text.Json;

namespace Gateway.Client.Streams;

/// <summary>Reads a <c>reset</c> event's JSON data (<c>{"reason":…,"channel":…,"lastEventId":…,"resumeAfter":…}</c>).</summary>
internal static class ResetData
{
    /// <param name="data">The reset event's data.</param>
    /// <param name="channel">The stream's channel when it has one; null on several channels, whose resets name theirs.</param>
    public static GatewayReset Parse(string data, string? channel)
    {
        try
        {
            using var json = JsonDocument.Parse(data);
            var root = json.RootElement;
            return new GatewayReset(
                Text(root, "reason") ?? "unknown",
                Text(root, "channel") ?? channel,
                Text(root, "lastEventId"),
                Text(root, "resumeAfter"));
        }
        catch (JsonException)
        {
            return new GatewayReset("unknown", channel, null, null);
        }
    }

    private static string? Text(JsonElement root, string name) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
