namespace Gateway.Server;

internal static class DemoPageEndpoint
{
    public static void MapDemoPage(this IEndpointRouteBuilder app)
    {
        var page = ReadDemoPage();
        app.MapGet("/", () => Results.Bytes(page, "text/html; charset=utf-8")).ExcludeFromDescription();
    }

    private static byte[] ReadDemoPage()
    {
        using var stream = typeof(DemoPageEndpoint).Assembly.GetManifestResourceStream("Gateway.Server.Demo.index.html")
            ?? throw new InvalidOperationException("The demo page is missing from the assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
