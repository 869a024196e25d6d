namespace Gateway.Core.Http.ApiDescription;

/// <summary>
/// Endpoint metadata for a request parameter the handler reads from the request itself (so the API explorer cannot see
/// it): a header or a query parameter. A host that writes an API description turns it into an OpenAPI parameter.
/// </summary>
/// <param name="Name">The header or query parameter name, exactly as sent.</param>
/// <param name="Location">Header or query.</param>
/// <param name="Description">What it means and what is accepted.</param>
/// <param name="Required">True when a request without it is refused.</param>
/// <param name="Repeated">True for a query parameter that is sent once per value (<c>channel=a&amp;channel=b</c>).</param>
public sealed record DocumentedParameter(
    string Name,
    DocumentedParameterLocation Location,
    string Description,
    bool Required = false,
    bool Repeated = false);
