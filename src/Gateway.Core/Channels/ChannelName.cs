using System.Diagnostics.CodeAnalysis;
using Gateway.Client.Rules;

namespace Gateway.Core.Channels;

/// <summary>
/// The rule for channel names: 1–128 characters of ASCII letters, digits, '-', '_', '.', ':'.
/// Safe as a URL path segment and as a Table-storage PartitionKey (which forbids '/', '\', '#', '?'
/// and control characters), so one rule serves every host and adapter. The rule itself is
/// <c>src/Gateway.Client/Rules/ChannelNameRule.cs</c>, compiled here and into the client package, so producers check it too.
/// </summary>
public static class ChannelName
{
    public const int MaxLength = ChannelNameRule.MaxLength;

    public static bool IsValid([NotNullWhen(true)] string? name) => TryValidate(name, out _);

    public static bool TryValidate([NotNullWhen(true)] string? name, [NotNullWhen(false)] out string? error) =>
        ChannelNameRule.TryValidate(name, out error);
}
