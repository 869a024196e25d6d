using Gateway.Core.Http.ApiDescription;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Gateway.Server.OpenApi;

/// <summary>
/// Turns Core's endpoint metadata into the parts of an operation the API explorer cannot see: the headers and query
/// parameters and the body the handlers read themselves, response headers, and the (optional) token requirement.
/// </summary>
internal sealed class DocumentedMetadataTransformer : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        foreach (var parameter in metadata.OfType<DocumentedParameter>())
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(ToOpenApi(parameter));
        }

        foreach (var header in metadata.OfType<DocumentedResponseHeader>())
        {
            if (operation.Responses?.TryGetValue(header.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture), out var response) == true
                && response is OpenApiResponse concrete)
            {
                concrete.Headers ??= new Dictionary<string, IOpenApiHeader>();
                concrete.Headers[header.Name] = new OpenApiHeader { Description = header.Description, Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
            }
        }

        if (metadata.OfType<DocumentedRequestBody>().FirstOrDefault() is { } body)
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Description = body.Description,
                Required = true,
                Content = body.ContentTypes.ToDictionary(t => t, _ => new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String } }),
            };
        }

        if (metadata.OfType<DocumentedAccess>().Any())
        {
            // The empty requirement first: without Gateway:Auth no token is asked for; with it, any one of the schemes.
            operation.Security = [new OpenApiSecurityRequirement()];
            foreach (var scheme in GatewayDocumentTransformer.TokenSchemes)
            {
                operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(scheme, context.Document)] = [] });
            }
        }

        return Task.CompletedTask;
    }

    private static OpenApiParameter ToOpenApi(DocumentedParameter parameter)
    {
        var result = new OpenApiParameter
        {
            Name = parameter.Name,
            In = parameter.Location == DocumentedParameterLocation.Header ? ParameterLocation.Header : ParameterLocation.Query,
            Description = parameter.Description,
            Required = parameter.Required,
            Schema = new OpenApiSchema { Type = JsonSchemaType.String },
        };

        if (parameter.Repeated)
        {
            // channel=a&channel=b: an array, one parameter per value (form style, exploded).
            result.Schema = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } };
            result.Style = ParameterStyle.Form;
            result.Explode = true;
        }

        return result;
    }
}
