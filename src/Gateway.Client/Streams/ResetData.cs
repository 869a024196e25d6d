using System.Text.Json;

namespace Gateway.Client.Streams;

/// <summary>Reads a <c>reset</c> event's JSON data (<c>{"reason":…,"channel":…,"lastEventId":…,"resumeAfter":…}</c>).</summary>
internal static class ResetData
{
    public static GatewayReset Parse(string data, string? channelOfId)
    {
        try
        {
            using var json = JsonDocument.Parse(data);
            var root = json.RootElement;
            return new GatewayReset(
                Text(root, "reason") ?? "unknown",
                // One channel's stream does not name it; several channels' resets name the one concerned.
                root.TryGetProperty("channel", out _) ? Text(root, "channel") : channelOfId,
                Text(root, "lastEventId"),
                Text(root, "resumeAfter"));
        }
        catch (JsonException)
        {
            return new GatewayReset("unknown", channelOfId, null, null);
        }
    }

    private static string? Text(JsonElement root, string name) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
