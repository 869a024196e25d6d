using Gateway.TestBroker;
using Gateway.Testing.Processes;
using Gateway.Testing.ServiceBus;

namespace Gateway.ServiceBus.Tests.Infrastructure;

/// <summary>
/// Kills an armed gateway server from inside the test broker (<see cref="TestServiceBusBrokerOptions.OnSending"/>)
/// when it sends its next fan-out message: the server has appended that batch to the log and waits for the send, so
/// it has completed none of the batch's messages.
/// </summary>
public sealed class FanoutKillSwitch
{
    private GatewayServerProcess? _armed;
    private TaskCompletionSource _killed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task KillOnNextFanoutAsync(GatewayServerProcess victim)
    {
        _killed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _armed, victim);
        return _killed.Task;
    }

    public void OnSending(string topic)
    {
        if (topic == BusEnvironment.FanoutTopic && Interlocked.Exchange(ref _armed, null) is { } victim)
        {
            victim.Kill();
            _killed.TrySetResult();
        }
    }
}
