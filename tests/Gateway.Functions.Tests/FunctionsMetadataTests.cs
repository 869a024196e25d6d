using System.Reflection;
using System.Text.Json;
using Gateway.Functions.Functions;

namespace Gateway.Functions.Tests;

/// <summary>What the host will index: the metadata the Worker SDK generated from the function classes at build time.</summary>
public sealed class FunctionsMetadataTests
{
    private readonly IReadOnlyList<FunctionEntry> _functions = FunctionsMetadata.Load(TestLocations.FunctionsAppDirectory);

    [Theory]
    [InlineData("Stream", "get", "channels/{channel}/stream", "Anonymous", typeof(StreamFunction))]
    [InlineData("Publish", "post", "channels/{channel}/events", "Function", typeof(PublishFunction))]
    [InlineData("Health", "get", "health", "Anonymous", typeof(HealthFunction))]
    [InlineData("MultiChannelStream", "get", "stream", "Anonymous", typeof(MultiChannelStreamFunction))]
    [InlineData("ChannelInfo", "get", "channels/{channel}", "Anonymous", typeof(ChannelInfoFunction))]
    public void Http_function_has_its_route_method_and_authorisation_level(string name, string method, string route, string authLevel, Type functionClass)
    {
        var function = _functions.Single(f => f.Name == name);
        Assert.Equal("Gateway.Functions.dll", function.ScriptFile);
        Assert.Equal($"{functionClass.FullName}.RunAsync", function.EntryPoint);

        var trigger = function.Trigger;
        Assert.Equal("httpTrigger", trigger.Type);
        Assert.Equal([method], trigger.Methods);
        Assert.Equal(route, trigger.Route);
        Assert.Equal(authLevel, trigger.AuthLevel);

        // The response is the function's own HttpResponse (ASP.NET Core integration), bound as the return value.
        Assert.Contains(function.Bindings, b => b is { Type: "http", Direction: "Out", Name: "$return" });
    }

    [Fact]
    public void Every_other_path_below_channels_reaches_the_catch_all_that_explains_the_channel_rule()
    {
        var function = _functions.Single(f => f.Name == "NotAChannelRoute");
        Assert.Equal($"{typeof(NotAChannelRouteFunction).FullName}.RunAsync", function.EntryPoint);
        Assert.Equal("channels/{*rest}", function.Trigger.Route);
        Assert.Equal(["get", "post"], function.Trigger.Methods);
        Assert.Equal("Anonymous", function.Trigger.AuthLevel);
    }

    [Fact]
    public void Retention_is_a_timer_whose_schedule_comes_from_an_app_setting()
    {
        var function = _functions.Single(f => f.Name == "Retention");
        Assert.Equal($"{typeof(RetentionFunction).FullName}.RunAsync", function.EntryPoint);
        Assert.Equal("timerTrigger", function.Trigger.Type);
        Assert.Equal("%Gateway:Retention:Schedule%", function.Trigger.Schedule);
        Assert.Single(function.Bindings);
    }

    [Fact]
    public void The_app_has_exactly_these_functions_and_each_entry_point_exists()
    {
        Assert.Equal(["ChannelInfo", "Health", "MultiChannelStream", "NotAChannelRoute", "Publish", "Retention", "Stream"], _functions.Select(f => f.Name).Order(StringComparer.Ordinal));
        var assembly = typeof(StreamFunction).Assembly;
        foreach (var function in _functions)
        {
            var split = function.EntryPoint.LastIndexOf('.');
            var type = assembly.GetType(function.EntryPoint[..split], throwOnError: true)!;
            Assert.NotNull(type.GetMethod(function.EntryPoint[(split + 1)..], BindingFlags.Public | BindingFlags.Instance));
        }
    }

    [Fact]
    public void Build_output_holds_the_root_host_json_with_the_api_prefix_and_a_flex_consumption_timeout()
    {
        var linked = File.ReadAllText(Path.Combine(TestLocations.FunctionsAppDirectory, "host.json"));
        var root = File.ReadAllText(Path.Combine(TestLocations.RepositoryRoot, "host.json"));
        Assert.Equal(root, linked);

        using var hostJson = JsonDocument.Parse(root);
        Assert.Equal("2.0", hostJson.RootElement.GetProperty("version").GetString());
        Assert.Equal("api", hostJson.RootElement.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());

        // Flex Consumption allows 30 minutes by default (and unbounded); Consumption's 10-minute maximum would reject it.
        Assert.Equal(TimeSpan.FromMinutes(30), TimeSpan.Parse(hostJson.RootElement.GetProperty("functionTimeout").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(hostJson.RootElement.GetProperty("logging").GetProperty("logLevel").TryGetProperty("default", out _));
    }

    [Fact]
    public void Worker_config_names_the_isolated_worker_assembly()
    {
        using var config = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(TestLocations.FunctionsAppDirectory, "worker.config.json")));
        var description = config.RootElement.GetProperty("description");
        Assert.Equal("dotnet-isolated", description.GetProperty("language").GetString());
        Assert.Equal("Gateway.Functions.dll", description.GetProperty("defaultWorkerPath").GetString());
    }
}
