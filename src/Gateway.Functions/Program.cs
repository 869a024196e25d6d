using Gateway.Functions.Hosting;
using Microsoft.Extensions.Hosting;

using var app = GatewayFunctionsApp.CreateBuilder(args, AppContext.BaseDirectory).Build();
await app.RunAsync();
