using System.Runtime.CompilerServices;
using Gateway.Hosting.Telemetry;

namespace Gateway.ServiceBus.Tests.Infrastructure;

/// <summary>
/// Azure.Core reads its ActivitySource switch once, when the process makes its first Azure client; test classes run in
/// parallel in one process, so the switch is set when this assembly loads, as a traced gateway sets it before its
/// clients. Without a listener the SDKs still make no span, so the other tests run as before.
/// </summary>
internal static class AzureSdkActivities
{
#pragma warning disable CA2255 // A module initializer is exactly "before anything else in this test process".
    [ModuleInitializer]
    internal static void Enable() => GatewayTelemetryExtensions.EnableAzureSdkActivities();
#pragma warning restore CA2255
}
