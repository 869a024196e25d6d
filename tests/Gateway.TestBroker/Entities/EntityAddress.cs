namespace Gateway.TestBroker.Entities;

/// <summary>
/// An AMQP link address in Service Bus form, normalised: the client sends <c>/events</c>,
/// <c>/events/Subscriptions/a</c>, <c>.../$deadletterqueue</c> or <c>.../$management</c>, in varying case.
/// </summary>
internal sealed record EntityAddress(string Topic, string? Subscription, bool DeadLetter, bool Management)
{
    public static EntityAddress? Parse(string? address)
    {
        if (string.IsNullOrWhiteSpace(address))
        {
            return null;
        }

        var path = address;
        var scheme = path.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            // An absolute address (sb://host/events): keep the path.
            var slash = path.IndexOf('/', scheme + 3);
            path = slash < 0 ? string.Empty : path[slash..];
        }

        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries).ToList();
        var management = parts.Count > 0 && parts[^1].Equals("$management", StringComparison.OrdinalIgnoreCase);
        if (management)
        {
            parts.RemoveAt(parts.Count - 1);
        }

        var deadLetter = parts.Count > 0 && parts[^1].Equals("$deadletterqueue", StringComparison.OrdinalIgnoreCase);
        if (deadLetter)
        {
            parts.RemoveAt(parts.Count - 1);
        }

        return parts switch
        {
            [var topic] when !deadLetter => new EntityAddress(topic, null, false, management),
            [var topic, var middle, var subscription] when middle.Equals("subscriptions", StringComparison.OrdinalIgnoreCase) =>
                new EntityAddress(topic, subscription, deadLetter, management),
            _ => null,
        };
    }
}
