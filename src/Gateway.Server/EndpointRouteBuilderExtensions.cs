using Gateway.Core.Http;

namespace Gateway.Server;

internal static class EndpointRouteBuilderExtensions
{
    /// <summary>The gateway's HTTP surface under <c>/api</c>, the same routes the Functions app exposes.</summary>
    public static void MapGatewayEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api");
        api.MapGet("/channels/{channel}/stream", (HttpContext context, string channel, GatewayEndpoints endpoints) => endpoints.StreamAsync(context, channel));
        api.MapPost("/channels/{channel}/events", (HttpContext context, string channel, GatewayEndpoints endpoints) => endpoints.PublishAsync(context, channel));
        api.MapGet("/health", (HttpContext context, GatewayEndpoints endpoints) => endpoints.HealthAsync(context));

        // A channel name with '/' in it does not match the routes above; say why instead of a bare 404.
        api.MapMethods("/channels/{**rest}", ["GET", "POST"], (HttpContext context, string rest) =>
            Problems.BadRequest(context, "Invalid channel name",
                $"'{rest}' is not a channel route: use /api/channels/{{channel}}/stream or /api/channels/{{channel}}/events, with a channel name of ASCII letters, digits, '-', '_', '.' and ':' (no '/')."));
    }

    public static void MapDemoPage(this IEndpointRouteBuilder app)
    {
        var page = ReadDemoPage();
        app.MapGet("/", () => Results.Bytes(page, "text/html; charset=utf-8"));
    }

    private static byte[] ReadDemoPage()
    {
        using var stream = typeof(EndpointRouteBuilderExtensions).Assembly.GetManifestResourceStream("Gateway.Server.Demo.index.html")
            ?? throw new InvalidOperationException("The demo page is missing from the assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
