using Gateway.Core.Access;

namespace Gateway.Core.Http.ApiDescription;

/// <summary>
/// Endpoint metadata: the route reads an access token when <c>Gateway:Auth</c> is configured, and needs one granting
/// <paramref name="Right"/> on the channel (unless the channel is public); null for a route that only uses a token to
/// decide how much to tell (health). Without <c>Gateway:Auth</c> no token is asked for, so the description marks tokens
/// as optional.
/// </summary>
/// <param name="Right">The grant the route checks, or null when a token only adds detail.</param>
public sealed record DocumentedAccess(ChannelRight? Right);
