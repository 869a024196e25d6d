using Gateway.Core.Log;
using Gateway.Testing.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Azure.Tests.Contract;

/// <summary>What a contract test may set about the log it gets.</summary>
public sealed record LogSettings(int MaxEventsPerChannel = 10_000, TimeSpan? MaxAge = null, TimeProvider? Time = null)
{
    public Dictionary<string, string?> Apply(Dictionary<string, string?> settings)
    {
        settings["Gateway:Retention:MaxEventsPerChannel"] = MaxEventsPerChannel.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Gateway:Retention:MaxAge"] = (MaxAge ?? TimeSpan.FromHours(24)).ToString();
        return settings;
    }
}

/// <summary>
/// A log as a host builds it, plus the means to open more writers on the same store: for a shared store (Table
/// storage) each writer is a separate instance, as on separate gateway instances; the in-memory log has one.
/// </summary>
public sealed class LogUnderTest : IAsyncDisposable
{
    private readonly Func<GatewayServices> _openInstance;
    private readonly bool _shared;
    private readonly List<GatewayServices> _instances = [];

    public LogUnderTest(Func<GatewayServices> openInstance, bool shared)
    {
        _openInstance = openInstance;
        _shared = shared;
        Log = OpenInstance();
    }

    public IEventLog Log { get; }

    public IEventLog OpenWriter() => _shared ? OpenInstance() : Log;

    public async ValueTask DisposeAsync()
    {
        foreach (var instance in _instances)
        {
            await instance.DisposeAsync();
        }
    }

    private IEventLog OpenInstance()
    {
        var instance = _openInstance();
        _instances.Add(instance);
        return instance.GetRequiredService<IEventLog>();
    }
}
