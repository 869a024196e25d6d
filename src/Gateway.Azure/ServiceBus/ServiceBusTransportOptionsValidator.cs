using Microsoft.Extensions.Options;

namespace Gateway.Azure.ServiceBus;

internal sealed class ServiceBusTransportOptionsValidator : IValidateOptions<ServiceBusTransportOptions>
{
    public ValidateOptionsResult Validate(string? name, ServiceBusTransportOptions o)
    {
        var errors = new List<string>();
        var s = ServiceBusTransportOptions.SectionName;
        RequireTopicName(errors, $"{s}:Topic", o.Topic);
        RequireTopicName(errors, $"{s}:FanoutTopic", o.FanoutTopic);
        RequireSubscriptionName(errors, $"{s}:Subscription", o.Subscription);
        if (o.FanoutSubscription is not null)
        {
            RequireSubscriptionName(errors, $"{s}:FanoutSubscription", o.FanoutSubscription);
        }

        if (string.Equals(o.Topic, o.FanoutTopic, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"{s}:Topic and {s}:FanoutTopic must differ (both are '{o.Topic}'): committed events would be ingested again.");
        }

        if (o.MaxBatchSize is < 1 or > 1000)
        {
            errors.Add($"{s}:MaxBatchSize must be between 1 and 1000 (is {o.MaxBatchSize}).");
        }

        if (o.IngestPrefetchCount is < 0 or > 1000)
        {
            errors.Add($"{s}:IngestPrefetchCount must be between 0 and 1000 (is {o.IngestPrefetchCount}).");
        }

        if (o.FanoutPrefetchCount is < 1 or > 1000)
        {
            errors.Add($"{s}:FanoutPrefetchCount must be between 1 and 1000 (is {o.FanoutPrefetchCount}).");
        }

        if (o.MaxConcurrentSessions is < 1 or > 100)
        {
            errors.Add($"{s}:MaxConcurrentSessions must be between 1 and 100 (is {o.MaxConcurrentSessions}).");
        }

        if (o.ReceiveWaitTime < TimeSpan.FromMilliseconds(10) || o.ReceiveWaitTime > TimeSpan.FromMinutes(1))
        {
            errors.Add($"{s}:ReceiveWaitTime must be between 10 ms and 1 minute (is {o.ReceiveWaitTime}).");
        }

        if (o.MaxLockRenewalDuration < TimeSpan.Zero)
        {
            errors.Add($"{s}:MaxLockRenewalDuration must not be negative (is {o.MaxLockRenewalDuration}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void RequireTopicName(List<string> errors, string key, string? value)
    {
        // Topic names may hold '/' (paths); only reject what can never name one.
        if (string.IsNullOrWhiteSpace(value) || value.Length > 260 || value.Any(char.IsWhiteSpace))
        {
            errors.Add($"{key} must be 1–260 characters without whitespace (is '{value}').");
        }
    }

    private static void RequireSubscriptionName(List<string> errors, string key, string? value)
    {
        if (!SubscriptionName.IsValid(value))
        {
            errors.Add($"{key} must be 1–{SubscriptionName.MaxLength} letters, digits, '.', '-' or '_', starting and ending with a letter or digit (is '{value}').");
        }
    }
}
