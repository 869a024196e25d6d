using System.Text.Json.Serialization;

namespace Gateway.Core.Streaming;

/// <summary>
/// The data of a multi-channel stream's <c>reset</c> event: the reason, the channel it concerns (absent for
/// <c>channels-mismatch</c>, which concerns them all), the client's position for it (or its whole id), and the id to resume after.
/// </summary>
internal sealed record MultiChannelResetData(string Reason, string? Channel, string LastEventId, string ResumeAfter);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(MultiChannelResetData))]
internal sealed partial class MultiChannelResetDataContext : JsonSerializerContext;
