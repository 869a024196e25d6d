using System.Xml;
using System.Xml.Linq;
using Gateway.TestBroker.Entities;

namespace Gateway.TestBroker.Administration;

/// <summary>
/// The part of the Service Bus ATOM management API that <c>ServiceBusAdministrationClient</c> uses for topics and
/// subscriptions: create (PUT), get (GET), delete (DELETE). Entities answer as Atom entries whose title is the name.
/// </summary>
internal sealed class AtomAdministration(BrokerEntities entities)
{
    static readonly XNamespace Atom = "http://www.w3.org/2005/Atom";
    static readonly XNamespace ServiceBus = "http://schemas.microsoft.com/netservices/2010/10/servicebus/connect";

    public HttpResponse Handle(HttpRequest request)
    {
        var parts = request.Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return parts switch
        {
            [var topic] => HandleTopic(request, topic),
            [var topic, var middle, var subscription] when middle.Equals("subscriptions", StringComparison.OrdinalIgnoreCase) =>
                HandleSubscription(request, topic, subscription),
            _ => new HttpResponse(404),
        };
    }

    HttpResponse HandleTopic(HttpRequest request, string name)
    {
        switch (request.Method)
        {
            case "PUT":
                var created = entities.TryAddTopic(name, out _);
                if (!created && !request.Headers.ContainsKey("If-Match"))
                {
                    return new HttpResponse(409);
                }

                return new HttpResponse(created ? 201 : 200, Entry(name, DescriptionOf(request.Body, "TopicDescription")));
            case "GET":
                return entities.FindTopic(name) is null
                    ? new HttpResponse(404)
                    : new HttpResponse(200, Entry(name, new XElement(ServiceBus + "TopicDescription", new XElement(ServiceBus + "Status", "Active"))));
            case "DELETE":
                return new HttpResponse(entities.RemoveTopic(name) ? 200 : 404);
            default:
                return new HttpResponse(405);
        }
    }

    HttpResponse HandleSubscription(HttpRequest request, string topicName, string name)
    {
        if (entities.FindTopic(topicName) is not { } topic)
        {
            return new HttpResponse(404);
        }

        switch (request.Method)
        {
            case "PUT":
                var description = DescriptionOf(request.Body, "SubscriptionDescription");
                var autoDelete = description.Element(ServiceBus + "AutoDeleteOnIdle") is { } element
                    ? XmlConvert.ToTimeSpan(element.Value)
                    : (TimeSpan?)null;
                var requiresSession = description.Element(ServiceBus + "RequiresSession") is { } sessions && XmlConvert.ToBoolean(sessions.Value);
                var created = topic.TryAddSubscription(name, autoDelete, requiresSession, out _);
                if (!created && !request.Headers.ContainsKey("If-Match"))
                {
                    return new HttpResponse(409);
                }

                return new HttpResponse(created ? 201 : 200, Entry(name, description));
            case "GET":
                return topic.FindSubscription(name) is { } subscription
                    ? new HttpResponse(200, Entry(name, Describe(subscription)))
                    : new HttpResponse(404);
            case "DELETE":
                return new HttpResponse(topic.RemoveSubscription(name) ? 200 : 404);
            default:
                return new HttpResponse(405);
        }
    }

    XElement Describe(BrokerSubscription subscription)
    {
        var description = new XElement(
            ServiceBus + "SubscriptionDescription",
            new XElement(ServiceBus + "LockDuration", XmlConvert.ToString(entities.Settings.LockDuration)),
            new XElement(ServiceBus + "RequiresSession", XmlConvert.ToString(subscription.RequiresSession)),
            new XElement(ServiceBus + "MaxDeliveryCount", entities.Settings.MaxDeliveryCount),
            new XElement(ServiceBus + "Status", "Active"));
        if (subscription.AutoDeleteOnIdle is { } autoDelete)
        {
            description.Add(new XElement(ServiceBus + "AutoDeleteOnIdle", XmlConvert.ToString(autoDelete)));
        }

        return description;
    }

    /// <summary>The description the client sent (echoed back on create), or an empty one.</summary>
    static XElement DescriptionOf(string body, string elementName)
    {
        if (!string.IsNullOrWhiteSpace(body)
            && XElement.Parse(body).Descendants(ServiceBus + elementName).FirstOrDefault() is { } sent)
        {
            return new XElement(sent);
        }

        return new XElement(ServiceBus + elementName);
    }

    static string Entry(string name, XElement description) =>
        new XElement(
            Atom + "entry",
            new XElement(Atom + "title", new XAttribute("type", "text"), name),
            new XElement(Atom + "content", new XAttribute("type", "application/xml"), description))
        .ToString(SaveOptions.DisableFormatting);
}
