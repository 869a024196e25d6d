using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Gateway.Server.OpenApi;

/// <summary>
/// Makes the generated schemas say what the gateway writes, not what the web JSON defaults would read: numbers are
/// written as numbers (the generator also allows numeric strings, which the gateway never sends), and a nullable
/// property may be left out (the gateway's bodies skip nulls, e.g. a health check's description for anonymous callers).
/// </summary>
internal sealed class ResponseSchemaTransformer : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (schema.Type is { } type && type.HasFlag(JsonSchemaType.Integer) && type.HasFlag(JsonSchemaType.String))
        {
            schema.Type = type & ~JsonSchemaType.String;
            schema.Pattern = null;
        }

        if (schema.Required is { Count: > 0 } required && schema.Properties is { } properties)
        {
            foreach (var (name, property) in properties)
            {
                if (property.Type is { } propertyType && propertyType.HasFlag(JsonSchemaType.Null))
                {
                    required.Remove(name);
                }
            }
        }

        return Task.CompletedTask;
    }
}
