using System.Reflection;
using System.Text.Json.Nodes;
using Gateway.Functions.Functions;
using Gateway.Functions.Hosting;
using Gateway.Testing.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Functions.Tests;

/// <summary>
/// The Functions app's services and function classes behind Kestrel on 127.0.0.1, routed by the build's real
/// functions.metadata and the app's host.json (route prefix). Each request is handled as the worker's ASP.NET Core
/// integration does: the function class is created from the request's services, the trigger parameter gets the
/// real <see cref="HttpRequest"/>, route values bind by name, and a returned <see cref="IResult"/> is executed.
/// Only the Functions host itself (which cannot run here) is replaced: its key check and its proxying.
/// </summary>
internal sealed class FunctionsTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _appDirectory;

    private FunctionsTestHost(WebApplication app, string appDirectory, Uri baseAddress)
    {
        _app = app;
        _appDirectory = appDirectory;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Starts the app with the root host.json, its <c>functionTimeout</c> replaced, and extra app settings.</summary>
    public static async Task<FunctionsTestHost> StartAsync(string functionTimeout, IReadOnlyDictionary<string, string?> settings)
    {
        var appDirectory = Directory.CreateTempSubdirectory("gateway-functions-").FullName;
        var hostJson = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(TestLocations.FunctionsAppDirectory, "host.json")))!.AsObject();
        hostJson["functionTimeout"] = functionTimeout;
        await File.WriteAllTextAsync(Path.Combine(appDirectory, "host.json"), hostJson.ToJsonString());
        var routePrefix = hostJson["extensions"]!["http"]!["routePrefix"]!.GetValue<string>();

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = appDirectory, EnvironmentName = "Development" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddGatewayFunctions(builder.Configuration, appDirectory);

        var app = builder.Build();
        foreach (var function in FunctionsMetadata.Load(TestLocations.FunctionsAppDirectory).Where(f => f.Trigger.Type == "httpTrigger"))
        {
            var method = EntryPoint(function);
            var trigger = function.Trigger;
            app.MapMethods($"/{routePrefix}/{trigger.Route}", [.. trigger.Methods.Select(m => m.ToUpperInvariant())],
                context => InvokeAsync(method, trigger.Name, context));
        }

        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            Directory.Delete(appDirectory, recursive: true);
            throw;
        }

        return new FunctionsTestHost(app, appDirectory, new Uri(app.Urls.Single()));
    }

    public HttpClient CreateClient() => GatewayHttp.CreateClient(BaseAddress);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        Directory.Delete(_appDirectory, recursive: true);
    }

    private static MethodInfo EntryPoint(FunctionEntry function)
    {
        var split = function.EntryPoint.LastIndexOf('.');
        var type = typeof(StreamFunction).Assembly.GetType(function.EntryPoint[..split], throwOnError: true)!;
        return type.GetMethod(function.EntryPoint[(split + 1)..])!;
    }

    private static async Task InvokeAsync(MethodInfo method, string triggerName, HttpContext context)
    {
        var instance = ActivatorUtilities.CreateInstance(context.RequestServices, method.DeclaringType!);
        var arguments = method.GetParameters().Select(p => Bind(p, triggerName, context)).ToArray();
        var task = (Task)method.Invoke(instance, arguments)!;
        await task;
        if (task.GetType().GetProperty(nameof(Task<object>.Result))?.GetValue(task) is IResult result)
        {
            await result.ExecuteAsync(context);
        }
    }

    private static object? Bind(ParameterInfo parameter, string triggerName, HttpContext context) => parameter switch
    {
        _ when parameter.Name == triggerName && parameter.ParameterType == typeof(HttpRequest) => context.Request,
        _ when parameter.ParameterType == typeof(CancellationToken) => context.RequestAborted,
        _ when parameter.ParameterType == typeof(string) => context.GetRouteValue(parameter.Name!)?.ToString(),
        _ => throw new InvalidOperationException($"The test host cannot bind parameter {parameter.Name} of {Describe(parameter)}."),
    };

    private static string Describe(ParameterInfo parameter) => $"{parameter.Member.DeclaringType?.Name}.{parameter.Member.Name}";
}
