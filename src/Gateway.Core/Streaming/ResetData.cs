using System.Text.Json.Serialization;

namespace Gateway.Core.Streaming;

/// <summary>
/// The data of a <c>reset</c> event: the reason, the channel it concerns (multi-channel streams only; absent for
/// <c>channels-mismatch</c>, which concerns them all), the client's position for it (or its whole id), and the id to
/// resume after (absent when a channel's stream has no log to resume in).
/// </summary>
internal sealed record ResetData(string Reason, string? Channel, string LastEventId, string? ResumeAfter);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ResetData))]
internal sealed partial class ResetDataContext : JsonSerializerContext;
