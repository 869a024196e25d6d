using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gateway.Core.Http;

/// <summary>The body of <c>GET /api/channels/{channel}</c>.</summary>
/// <param name="Channel">The channel asked about.</param>
/// <param name="Head">The id of the last event (<c>{epoch}-{offset}</c>; offset 0 when the log holds none yet); null when the channel has no log.</param>
/// <param name="Oldest">The id of the oldest retained event; null when none is retained.</param>
/// <param name="Subscribers">Streams following the channel on the instance that answered.</param>
internal sealed record ChannelInfo(string Channel, string? Head, string? Oldest, int Subscribers);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ChannelInfo))]
internal sealed partial class ChannelInfoJsonContext : JsonSerializerContext;
