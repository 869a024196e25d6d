using System.Net;
using System.Text.Json;
using Gateway.Server.OpenApi;
using Gateway.Testing;
using Gateway.Testing.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Http;

/// <summary>
/// The OpenAPI document the server host serves, and its checked-in copy <c>api/openapi.json</c> (what Azure API
/// Management imports): they are the same, and the document covers every gateway route with its real answers.
/// </summary>
public sealed class OpenApiDocumentTests
{
    /// <summary>Set to 1 to rewrite the checked-in copy from the served document instead of comparing them.</summary>
    public const string RewriteVariable = "GATEWAY_UPDATE_OPENAPI";

    private static string CheckedInCopy => Path.Combine(BuildMetadata.RepositoryRoot, "api", "openapi.json");

    [Fact]
    public async Task The_served_document_equals_the_checked_in_copy()
    {
        await using var host = await GatewayTestHost.StartAsync();
        var served = Normalise(await host.Client.GetStringAsync(GatewayOpenApi.DocumentPath));

        if (Environment.GetEnvironmentVariable(RewriteVariable) == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(CheckedInCopy)!);
            await File.WriteAllTextAsync(CheckedInCopy, served);
            return;
        }

        var copy = File.Exists(CheckedInCopy) ? Normalise(await File.ReadAllTextAsync(CheckedInCopy)) : "";
        if (copy != served)
        {
            Assert.Fail(
                $"api/openapi.json differs from the document the server serves at {GatewayOpenApi.DocumentPath} ({FirstDifference(copy, served)}). " +
                $"If the routes' metadata changed on purpose, regenerate the copy and commit it: " +
                $"{RewriteVariable}=1 dotnet test tests/Gateway.Tests --filter FullyQualifiedName~{nameof(OpenApiDocumentTests)}");
        }
    }

    [Fact]
    public async Task Every_gateway_route_is_described_with_its_parameters_responses_and_problems()
    {
        await using var host = await GatewayTestHost.StartAsync();
        using var document = JsonDocument.Parse(await host.Client.GetStringAsync(GatewayOpenApi.DocumentPath));
        var paths = document.RootElement.GetProperty("paths");

        // Every route MapGateway maps under /api is in the document, except the catch-all that only explains the channel rule.
        var routes = host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true && !e.RoutePattern.RawText.Contains("**", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(5, routes.Count);
        foreach (var route in routes)
        {
            var method = route.Metadata.GetRequiredMetadata<HttpMethodMetadata>().HttpMethods.Single().ToLowerInvariant();
            Assert.True(paths.TryGetProperty(route.RoutePattern.RawText!, out var path) && path.TryGetProperty(method, out _),
                $"{method.ToUpperInvariant()} {route.RoutePattern.RawText} is not in the document.");
        }

        Assert.False(paths.TryGetProperty("/", out _), "The demo page is not part of the API.");

        // Accepts metadata takes part in routing: a publish with another content type would miss its route (and get the
        // catch-all's 400) instead of the handler's own answer. The body is described with Core's DocumentedRequestBody.
        Assert.All(routes, r => Assert.Null(r.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>()));

        foreach (var (pathName, path) in paths.EnumerateObject().Select(p => (p.Name, p.Value)))
        {
            foreach (var operation in path.EnumerateObject())
            {
                var where = $"{operation.Name.ToUpperInvariant()} {pathName}";
                Assert.True(operation.Value.TryGetProperty("operationId", out _), $"{where} has no operationId.");
                Assert.True(operation.Value.TryGetProperty("summary", out _), $"{where} has no summary.");
                foreach (var response in operation.Value.GetProperty("responses").EnumerateObject().Where(r => r.Name[0] is '4' || (r.Name == "503" && pathName != "/api/health")))
                {
                    Assert.True(response.Value.GetProperty("content").TryGetProperty("application/problem+json", out _), $"{where} answers {response.Name} without application/problem+json.");
                }
            }
        }

        var stream = paths.GetProperty("/api/channels/{channel}/stream").GetProperty("get");
        Assert.True(stream.GetProperty("responses").GetProperty("200").GetProperty("content").TryGetProperty("text/event-stream", out _));
        Assert.Equal(["channel", "Last-Event-ID", "last_event_id", "lastEventId"], ParameterNames(stream));

        var multi = paths.GetProperty("/api/stream").GetProperty("get");
        var channels = multi.GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "channel");
        Assert.Equal("query", channels.GetProperty("in").GetString());
        Assert.Equal("array", channels.GetProperty("schema").GetProperty("type").GetString());
        Assert.False(channels.TryGetProperty("explode", out var explode) && !explode.GetBoolean(), "channel=a&channel=b needs an exploded form parameter (explode absent means true).");
        Assert.True(channels.GetProperty("required").GetBoolean());

        var publish = paths.GetProperty("/api/channels/{channel}/events").GetProperty("post");
        Assert.Equal(["channel", "event", "Idempotency-Key"], ParameterNames(publish));
        Assert.True(publish.GetProperty("requestBody").GetProperty("content").TryGetProperty("text/plain", out _));
        Assert.Equal(["200", "201", "202", "400", "401", "403", "408", "413", "415", "429", "503"],
            publish.GetProperty("responses").EnumerateObject().Select(r => r.Name).Order(StringComparer.Ordinal));

        // Tokens: optional (the empty requirement) since nothing is asked for without Gateway:Auth; the scheme is JwtBearer's.
        Assert.Equal("{}", publish.GetProperty("security")[0].GetRawText().Replace(" ", "", StringComparison.Ordinal));
        var bearer = document.RootElement.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal("bearer", bearer.GetProperty("scheme").GetString());
        Assert.False(document.RootElement.TryGetProperty("servers", out _), "The document names no server: the address of whoever asked is no API fact.");
    }

    [Fact]
    public async Task The_document_is_anonymous_even_with_tokens_configured()
    {
        await using var host = await GatewayTestHost.StartAsync(("Gateway:Auth:SigningKey", Convert.ToBase64String(new byte[32])));
        using var response = await host.Client.GetAsync(GatewayOpenApi.DocumentPath);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static string[] ParameterNames(JsonElement operation) =>
        [.. operation.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()!)];

    private static string Normalise(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd() + "\n";

    private static string FirstDifference(string copy, string served)
    {
        if (copy.Length == 0)
        {
            return "the copy is missing or empty";
        }

        var a = copy.Split('\n');
        var b = served.Split('\n');
        for (var i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            if (a[i] != b[i])
            {
                return $"first at line {i + 1}: copy '{a[i].Trim()}', served '{b[i].Trim()}'";
            }
        }

        return $"the copy has {a.Length} lines, the served document {b.Length}";
    }
}
