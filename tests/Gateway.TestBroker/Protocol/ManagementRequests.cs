using System.Collections;
using Amqp;
using Amqp.Framing;
using Amqp.Types;
using Gateway.TestBroker.Entities;

namespace Gateway.TestBroker.Protocol;

/// <summary>
/// The <c>entity/$management</c> node of a subscription: lock renewal, peek and disposition by lock token, and for
/// sessions: session lock renewal and session state.
/// Replies use <c>statusCode</c>/<c>statusDescription</c> (camelCase, unlike CBS).
/// </summary>
internal sealed class ManagementRequests(EntityQueue queue) : IRequestHandler
{
    const int Ok = 200;
    const int NoContent = 204;
    const int BadRequest = 400;
    const int Gone = 410;
    const int NotImplemented = 501;

    public Message Handle(Message request)
    {
        var body = request.Body as Map;
        var operation = request.ApplicationProperties?["operation"] as string;
        try
        {
            return operation switch
            {
                "com.microsoft:renew-lock" => RenewLocks(body),
                "com.microsoft:peek-message" => Peek(body),
                "com.microsoft:update-disposition" => UpdateDisposition(body),
                "com.microsoft:renew-session-lock" => RenewSessionLock(body),
                "com.microsoft:get-session-state" => GetSessionState(body),
                "com.microsoft:set-session-state" => SetSessionState(body),
                _ => Reply(NotImplemented, $"The test broker does not implement '{operation}'."),
            };
        }
        catch (Exception ex) when (ex is InvalidCastException or NullReferenceException or KeyNotFoundException)
        {
            return Reply(BadRequest, $"Malformed '{operation}' request: {ex.Message}");
        }
    }

    Message RenewLocks(Map? body)
    {
        var expirations = new List<DateTime>();
        foreach (var token in LockTokens(body))
        {
            if (queue.RenewLock(token) is not { } until)
            {
                return Reply(Gone, "The lock on the message was lost.", EntityQueue.LockLostCondition);
            }

            expirations.Add(until);
        }

        return Reply(Ok, "OK", body: new Map { ["expirations"] = expirations.ToArray() });
    }

    Message RenewSessionLock(Map? body)
    {
        var sessionId = (string)body!["session-id"];
        return queue.RenewSessionLock(sessionId) is { } until
            ? Reply(Ok, "OK", body: new Map { ["expiration"] = until })
            : SessionLockLost(sessionId);
    }

    Message GetSessionState(Map? body)
    {
        var sessionId = (string)body!["session-id"];
        return queue.TryGetSessionState(sessionId, out var state)
            ? Reply(Ok, "OK", body: new Map { ["session-state"] = state })
            : SessionLockLost(sessionId);
    }

    Message SetSessionState(Map? body)
    {
        var sessionId = (string)body!["session-id"];
        var state = body.ContainsKey("session-state") ? body["session-state"] as byte[] : null;
        return queue.TrySetSessionState(sessionId, state) ? Reply(Ok, "OK") : SessionLockLost(sessionId);
    }

    static Message SessionLockLost(string sessionId) =>
        Reply(Gone, $"The session lock of '{sessionId}' was lost (expired, or the session was released).", EntityQueue.SessionLockLostCondition);

    Message Peek(Map? body)
    {
        var from = Convert.ToInt64(body!["from-sequence-number"], System.Globalization.CultureInfo.InvariantCulture);
        var count = Convert.ToInt32(body["message-count"], System.Globalization.CultureInfo.InvariantCulture);
        var peeked = queue.Peek(from, count);
        if (peeked.Count == 0)
        {
            return Reply(NoContent, "No messages to peek.");
        }

        var messages = new List();
        foreach (var message in peeked)
        {
            var encoded = DeliveryMessages.Create(message, null, null).Encode();
            var bytes = new byte[encoded.Length];
            Array.Copy(encoded.Buffer, encoded.Offset, bytes, 0, encoded.Length);
            messages.Add(new Map { ["message"] = bytes });
        }

        return Reply(Ok, "OK", body: new Map { ["messages"] = messages });
    }

    Message UpdateDisposition(Map? body)
    {
        var status = body!["disposition-status"] as string;
        DeliveryState outcome = status switch
        {
            "completed" => new Accepted(),
            "abandoned" => new Modified(),
            "suspended" => new Rejected
            {
                Error = new Error(new Symbol("com.microsoft:dead-letter"))
                {
                    Info = new Fields
                    {
                        [new Symbol("DeadLetterReason")] = body["deadletter-reason"],
                        [new Symbol("DeadLetterErrorDescription")] = body["deadletter-description"],
                    },
                },
            },
            _ => new Released(),
        };
        if (outcome is Released)
        {
            return Reply(NotImplemented, $"The test broker does not implement disposition '{status}'.");
        }

        foreach (var token in LockTokens(body))
        {
            if (queue.Settle(token, outcome) is Rejected { Error: not null })
            {
                return Reply(Gone, "The lock on the message was lost.", EntityQueue.LockLostCondition);
            }
        }

        return Reply(Ok, "OK");
    }

    static List<Guid> LockTokens(Map? body) =>
        body?["lock-tokens"] is IEnumerable tokens ? tokens.OfType<Guid>().ToList() : [];

    static Message Reply(int statusCode, string description, Symbol? errorCondition = null, Map? body = null)
    {
        var properties = new ApplicationProperties
        {
            ["statusCode"] = statusCode,
            ["statusDescription"] = description,
        };
        if (errorCondition is not null)
        {
            properties["errorCondition"] = errorCondition;
        }

        return new Message { ApplicationProperties = properties, BodySection = new AmqpValue { Value = body } };
    }
}
