using Azure.Messaging.ServiceBus;
using Azure.Messaging.ServiceBus.Administration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Azure.ServiceBus;

/// <summary>
/// This instance's subscription of the fan-out topic: the configured fixed name, or one named from the
/// instance id (<c>Gateway:ServiceBus:InstanceId</c>, else <c>WEBSITE_INSTANCE_ID</c>, else a GUID made at
/// start-up) that the instance creates itself with auto-delete on idle, so subscriptions of instances that
/// are gone (scale-in, redeploy) disappear by themselves.
/// </summary>
public sealed partial class FanoutSubscription
{
    /// <summary>The shortest auto-delete-on-idle Service Bus allows.</summary>
    public static readonly TimeSpan AutoDeleteOnIdle = TimeSpan.FromMinutes(5);

    private readonly ServiceBusAdministrationClient _admin;
    private readonly ServiceBusTransportOptions _options;
    private readonly ILogger<FanoutSubscription> _logger;

    public FanoutSubscription(ServiceBusAdministrationClient admin, IOptions<ServiceBusTransportOptions> options, IConfiguration configuration, ILogger<FanoutSubscription> logger)
    {
        _admin = admin;
        _options = options.Value;
        _logger = logger;
        IsFixed = _options.FanoutSubscription is not null;
        Name = _options.FanoutSubscription ?? NameFromInstanceId(_options.InstanceId ?? configuration["WEBSITE_INSTANCE_ID"]);
    }

    public string Name { get; }

    /// <summary>True when the name is configured: the subscription is expected to exist and is not created.</summary>
    public bool IsFixed { get; }

    /// <summary>Creates this instance's subscription unless it is fixed or already there.</summary>
    public async Task EnsureExistsAsync(CancellationToken cancellationToken)
    {
        if (IsFixed)
        {
            return;
        }

        try
        {
            await _admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(_options.FanoutTopic, Name) { AutoDeleteOnIdle = AutoDeleteOnIdle }, cancellationToken);
            LogCreated(_options.FanoutTopic, Name);
        }
        catch (ServiceBusException ex) when (ex.Reason == ServiceBusFailureReason.MessagingEntityAlreadyExists)
        {
        }
    }

    private static string NameFromInstanceId(string? instanceId) =>
        (string.IsNullOrWhiteSpace(instanceId) ? null : SubscriptionName.FromInstanceId(instanceId))
        ?? SubscriptionName.FromInstanceId(Guid.NewGuid().ToString("N"))!;

    [LoggerMessage(Level = LogLevel.Information, Message = "Created fan-out subscription {Topic}/{Subscription} for this instance")]
    private partial void LogCreated(string topic, string subscription);
}
