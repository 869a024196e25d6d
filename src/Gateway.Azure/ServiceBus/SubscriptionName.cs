namespace Gateway.Azure.ServiceBus;

/// <summary>
/// Service Bus's rule for subscription names (letters, digits, '.', '-', '_'; starting and ending with a letter
/// or digit; at most 50 characters) and how an instance id becomes one.
/// </summary>
public static class SubscriptionName
{
    public const int MaxLength = 50;

    public static bool IsValid(string? name) =>
        !string.IsNullOrEmpty(name)
        && name.Length <= MaxLength
        && char.IsAsciiLetterOrDigit(name[0])
        && char.IsAsciiLetterOrDigit(name[^1])
        && name.All(IsAllowed);

    /// <summary>
    /// A valid subscription name made from an instance id: other characters become '-', the ends are trimmed to a
    /// letter or digit and the length to <see cref="MaxLength"/> (Azure's instance ids are 64 hex digits; their
    /// first 50 are still unique enough). Null when nothing usable is left.
    /// </summary>
    public static string? FromInstanceId(string instanceId)
    {
        var chars = instanceId.Select(c => IsAllowed(c) ? char.ToLowerInvariant(c) : '-').ToArray();
        var name = new string(chars).Trim('-', '.', '_');
        if (name.Length > MaxLength)
        {
            name = name[..MaxLength].TrimEnd('-', '.', '_');
        }

        return IsValid(name) ? name : null;
    }

    private static bool IsAllowed(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_';
}
