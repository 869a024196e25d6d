namespace Gateway.Core.Http.ApiDescription;

/// <summary>Endpoint metadata for a header a route sets on responses with <paramref name="StatusCode"/>.</summary>
/// <param name="StatusCode">The response status the header comes with.</param>
/// <param name="Name">The header name.</param>
/// <param name="Description">What its value means.</param>
public sealed record DocumentedResponseHeader(int StatusCode, string Name, string Description);
