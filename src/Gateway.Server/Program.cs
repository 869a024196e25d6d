using Gateway.Server;

var app = GatewayServer.Build(args);
await app.RunAsync();
