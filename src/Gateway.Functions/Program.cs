using Gateway.Functions.Hosting;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

// ASP.NET Core integration: functions write to the real HttpResponse, so SSE frames reach the client as they are flushed.
var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Services.AddGatewayFunctions(builder.Configuration, AppContext.BaseDirectory);

using var app = builder.Build();
await app.RunAsync();
