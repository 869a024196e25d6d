namespace Gateway.Core.Http.ApiDescription;

/// <summary>
/// Endpoint metadata for a request body the handler reads itself, as text. Not ASP.NET Core's <c>Accepts</c>: that
/// metadata also takes part in routing and would turn a request with another content type away before the handler
/// could answer it with a problem.
/// </summary>
/// <param name="Description">What the body is.</param>
/// <param name="ContentTypes">The media types to list (the handler accepts any but multipart).</param>
public sealed record DocumentedRequestBody(string Description, IReadOnlyList<string> ContentTypes);
