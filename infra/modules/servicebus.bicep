// The bus: producers send to `events`; every gateway instance competes for them on the durable `gateway`
// subscription (ingest), appends them to the log, and republishes the committed events to `events-fanout`,
// where each instance creates its own auto-deleting subscription at start-up to feed its local streams.
// Local (SAS key) authentication is off: producers and the gateway use Microsoft Entra ID.

param name string
param location string
param tags object

@description('Topic producers publish to (Gateway:ServiceBus:Topic).')
param eventsTopicName string

@description('Durable ingest subscription on the events topic (Gateway:ServiceBus:Subscription).')
param ingestSubscriptionName string

@description('The ingest subscription requires sessions (Gateway:ServiceBus:Sessions: strict send order per channel, SessionId = channel). Fixed when the subscription is created.')
param ingestRequiresSession bool = false

@description('Topic committed events are fanned out on (Gateway:ServiceBus:FanoutTopic).')
param fanoutTopicName string

@description('Name of the gateway\'s user-assigned identity (in this resource group).')
param identityName string

@description('Object ids of producers (apps, users) that may publish: Azure Service Bus Data Sender on the events topic only.')
param producerPrincipalIds array = []

@description('What kind of principal every producer id is.')
@allowed([
  'ServicePrincipal'
  'User'
  'Group'
])
param producerPrincipalType string = 'ServicePrincipal'

@description('How long a published event may wait for ingest (no instance running, storage outage) before it is dead-lettered.')
param eventTimeToLive string = 'P14D'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: identityName
}

// Built-in roles.
var dataReceiver = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0')
var dataSender = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39')
var dataOwner = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '090c5cfd-751d-490a-894a-3ce6f1109419')

resource namespace 'Microsoft.ServiceBus/namespaces@2026-01-01' = {
  name: name
  location: location
  tags: tags
  // Standard: the lowest tier with topics and subscriptions.
  sku: {
    name: 'Standard'
    tier: 'Standard'
  }
  properties: {
    minimumTlsVersion: '1.2'
    disableLocalAuth: true
  }
}

resource eventsTopic 'Microsoft.ServiceBus/namespaces/topics@2026-01-01' = {
  parent: namespace
  name: eventsTopicName
  properties: {
    defaultMessageTimeToLive: eventTimeToLive
    // Producers may resend after a timeout; the log's dedupe keys on the message, so this is a first line only.
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'PT10M'
  }
}

resource ingestSubscription 'Microsoft.ServiceBus/namespaces/topics/subscriptions@2026-01-01' = {
  parent: eventsTopic
  name: ingestSubscriptionName
  properties: {
    // Off by default: a message without a SessionId would be dead-lettered by a session-enabled subscription. On
    // (Gateway:ServiceBus:Sessions) for strict send order per channel, with SessionId = channel on every message.
    requiresSession: ingestRequiresSession
    // One lock covers validate + append (Table transaction) + fan-out; the processor renews it for slow storage.
    lockDuration: 'PT1M'
    // An append that fails (storage down) abandons the message. Ten deliveries ride out short outages without
    // parking good events; a poison message (one that breaks ingest itself) still ends in the dead-letter queue.
    // Invalid events are dead-lettered at once by the gateway with a reason, not retried.
    maxDeliveryCount: 10
    deadLetteringOnMessageExpiration: true
    deadLetteringOnFilterEvaluationExceptions: true
    defaultMessageTimeToLive: eventTimeToLive
  }
}

resource fanoutTopic 'Microsoft.ServiceBus/namespaces/topics@2026-01-01' = {
  parent: namespace
  name: fanoutTopicName
  properties: {
    // A fan-out copy is only worth delivering live: a stream that misses one fills the gap from the log.
    defaultMessageTimeToLive: 'PT5M'
    // Subscriptions of instances that stopped are removed by their own AutoDeleteOnIdle; this bounds the topic.
    maxSizeInMegabytes: 1024
  }
}

// Least privilege: each right on the one entity that needs it, nothing namespace-wide.
// Receive from `gateway` (ingest) only. The instance's own fan-out subscription is covered by the Owner role below.
resource receiver 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(ingestSubscription.id, identity.id, dataReceiver)
  scope: ingestSubscription
  properties: {
    roleDefinitionId: dataReceiver
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// Send to `events` (the HTTP publish endpoint).
resource eventsSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(eventsTopic.id, identity.id, dataSender)
  scope: eventsTopic
  properties: {
    roleDefinitionId: dataSender
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// Send committed events to `events-fanout`. Only the gateway may: a message there reaches streams without
// passing the log, so no producer role is ever granted on this topic.
resource fanoutSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(fanoutTopic.id, identity.id, dataSender)
  scope: fanoutTopic
  properties: {
    roleDefinitionId: dataSender
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// Producers send to `events` only: what they send is validated, logged and given an id before any stream sees it.
resource producerSenders 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for principalId in producerPrincipalIds: {
    name: guid(eventsTopic.id, principalId, dataSender)
    scope: eventsTopic
    properties: {
      roleDefinitionId: dataSender
      principalId: principalId
      principalType: producerPrincipalType
    }
  }
]

// Creating a subscription through the data plane (ServiceBusAdministrationClient, which is what an instance
// does at start-up) needs the Manage right; of the built-in roles only Azure Service Bus Data Owner carries it
// (Sender and Receiver grant Send and Listen only, and control-plane roles such as Contributor would also open
// the namespace's keys and settings). Scoped to the fan-out topic, it lets the gateway create and delete
// subscriptions there and nothing on `events` or elsewhere in the namespace.
resource fanoutOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(fanoutTopic.id, identity.id, dataOwner)
  scope: fanoutTopic
  properties: {
    roleDefinitionId: dataOwner
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

output name string = namespace.name
// The endpoint is 'https://<name>.servicebus.windows.net:443/' in the public cloud; the clients want the host alone.
output fullyQualifiedNamespace string = split(replace(namespace.properties.serviceBusEndpoint, 'https://', ''), ':')[0]
output eventsTopicName string = eventsTopic.name
output fanoutTopicName string = fanoutTopic.name
output ingestSubscriptionName string = ingestSubscription.name
