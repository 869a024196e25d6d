namespace Gateway.Core.Access;

/// <summary>What a request wants to do with a channel.</summary>
public enum ChannelRight
{
    /// <summary>Read its stream (and its retained history).</summary>
    Subscribe,

    /// <summary>Publish events to it.</summary>
    Publish,
}
