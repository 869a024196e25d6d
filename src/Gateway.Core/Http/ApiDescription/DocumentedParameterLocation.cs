namespace Gateway.Core.Http.ApiDescription;

/// <summary>Where a <see cref="DocumentedParameter"/> travels.</summary>
public enum DocumentedParameterLocation
{
    /// <summary>A query string parameter.</summary>
    Query,

    /// <summary>A request header.</summary>
    Header,
}
