// The SSE gateway on Azure: `azd up` provisions this and deploys src/Gateway.Functions to it.
// Subscription scope, as azd expects: it creates the resource group and everything inside it.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; names and tags every resource.')
param environmentName string

@minLength(1)
@description('Region for every resource (one that offers Flex Consumption).')
param location string

@description('.NET version of the isolated worker (Flex Consumption runtime "dotnet-isolated").')
@allowed([
  '8.0'
  '9.0'
  '10.0'
])
param dotnetVersion string = '10.0'

@description('Memory per Flex Consumption instance, in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Most instances the app scales out to; with httpPerInstanceConcurrency, the most open streams.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Open streams (HTTP requests in flight) per instance before Flex adds one. See functionapp.bicep for the trade-off.')
@minValue(1)
@maxValue(1000)
param httpPerInstanceConcurrency int = 500

@description('Instances kept warm (billed while idle at the lower always-ready rate); 0 scales to zero.')
@minValue(0)
param alwaysReadyInstances int = 0

@description('Origins whose pages may open streams from the browser (EventSource is subject to CORS), e.g. [\'https://app.example.com\'].')
param corsAllowedOrigins array = []

@description('Object ids of producers that may publish with Service Bus: Azure Service Bus Data Sender on the events topic only (never on the fan-out topic, whose messages reach streams directly).')
param producerPrincipalIds array = []

@description('What kind of principal every id in producerPrincipalIds is.')
@allowed([
  'ServicePrincipal'
  'User'
  'Group'
])
param producerPrincipalType string = 'ServicePrincipal'

@description('OpenID Connect issuer whose tokens grant channels (Gateway:Auth:Authority), e.g. https://login.microsoftonline.com/<tenant>/v2.0; empty = no tokens asked for.')
param authAuthority string = ''

@description('Audience the tokens must carry (Gateway:Auth:Audience): the application ID URI or client id of the gateway\'s app registration.')
param authAudience string = ''

@description('Claim listing the channels a token may read (Gateway:Auth:SubscribeClaim); \'roles\' for Entra ID app roles.')
param authSubscribeClaim string = 'subscribe'

@description('Claim listing the channels a token may publish to (Gateway:Auth:PublishClaim).')
param authPublishClaim string = 'publish'

@description('Name of the event log table.')
param eventLogTableName string = 'events'

@description('Topic producers publish to.')
param eventsTopicName string = 'events'

@description('Durable subscription the gateway ingests from.')
param ingestSubscriptionName string = 'gateway'

@description('Topic committed events are fanned out on to every instance.')
param fanoutTopicName string = 'events-fanout'

@description('Strict send order per channel (Gateway:ServiceBus:Sessions): the ingest subscription requires sessions, producers must set SessionId = channel, and ingest takes one session (channel) at a time. Service Bus cannot change requiresSession on an existing subscription: to switch, drain it and deploy with a new ingestSubscriptionName.')
param serviceBusSessions bool = false

@description('Gateway:Stream:RetryInterval: the reconnection delay sent to clients.')
param streamRetryInterval string = '00:00:03'

@description('Gateway:Stream:HeartbeatInterval: comment lines on idle streams, well under the front end\'s 230 s idle limit.')
param streamHeartbeatInterval string = '00:00:15'

@description('Gateway:Functions:MaxStreamDuration: longest stream before a clean end and reconnect (the app also keeps it under functionTimeout, 30 min on Flex, minus a margin). Shorter spreads streams over new instances sooner after a scale-out; longer means fewer reconnects and replays.')
param streamMaxDuration string = '00:10:00'

@description('Gateway:Retention:MaxAge: how long events stay replayable.')
param retentionMaxAge string = '1.00:00:00'

@description('Gateway:Retention:MaxEventsPerChannel: newest events kept per channel.')
@minValue(1)
param retentionMaxEventsPerChannel int = 10000

@description('Gateway:Retention:Schedule: NCRONTAB (with seconds) of the retention timer function; each run also wakes a scaled-to-zero app, which then ingests waiting events.')
param retentionSchedule string = '0 */5 * * * *'

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
// Known before deployment (not a module output), so role assignment names and What-If stay predictable.
var identityName = 'id-gateway-${resourceToken}'
var tags = {
  'azd-env-name': environmentName
}

resource group 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: group
  params: {
    name: identityName
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: group
  dependsOn: [identity]
  params: {
    workspaceName: 'log-gateway-${resourceToken}'
    appInsightsName: 'appi-gateway-${resourceToken}'
    location: location
    tags: tags
    identityName: identityName
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: group
  dependsOn: [identity]
  params: {
    name: 'stgw${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: 'app-package-${resourceToken}'
    eventLogTableName: eventLogTableName
    identityName: identityName
  }
}

module serviceBus 'modules/servicebus.bicep' = {
  name: 'servicebus'
  scope: group
  dependsOn: [identity]
  params: {
    name: 'sb-gateway-${resourceToken}'
    location: location
    tags: tags
    eventsTopicName: eventsTopicName
    ingestSubscriptionName: ingestSubscriptionName
    ingestRequiresSession: serviceBusSessions
    fanoutTopicName: fanoutTopicName
    identityName: identityName
    producerPrincipalIds: producerPrincipalIds
    producerPrincipalType: producerPrincipalType
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  scope: group
  params: {
    name: 'func-gateway-${resourceToken}'
    planName: 'plan-gateway-${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    tableServiceUri: storage.outputs.tableEndpoint
    serviceBusNamespace: serviceBus.outputs.fullyQualifiedNamespace
    appInsightsConnectionString: monitoring.outputs.connectionString
    corsAllowedOrigins: corsAllowedOrigins
    // Browsers carry the token in a cookie, which a cross-origin EventSource sends only with credentials allowed.
    corsSupportCredentials: !empty(authAuthority) && !empty(corsAllowedOrigins)
    dotnetVersion: dotnetVersion
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    httpPerInstanceConcurrency: httpPerInstanceConcurrency
    alwaysReadyInstances: alwaysReadyInstances
    gatewaySettings: {
      Gateway__Stream__RetryInterval: streamRetryInterval
      Gateway__Stream__HeartbeatInterval: streamHeartbeatInterval
      Gateway__Functions__MaxStreamDuration: streamMaxDuration
      Gateway__Retention__MaxAge: retentionMaxAge
      Gateway__Retention__MaxEventsPerChannel: string(retentionMaxEventsPerChannel)
      Gateway__Retention__Schedule: retentionSchedule
      Gateway__Auth__Authority: authAuthority
      Gateway__Auth__Audience: authAudience
      Gateway__Auth__SubscribeClaim: authSubscribeClaim
      Gateway__Auth__PublishClaim: authPublishClaim
      Gateway__Tables__TableName: eventLogTableName
      Gateway__ServiceBus__Topic: eventsTopicName
      Gateway__ServiceBus__Subscription: ingestSubscriptionName
      Gateway__ServiceBus__FanoutTopic: fanoutTopicName
      Gateway__ServiceBus__Sessions: string(serviceBusSessions)
    }
  }
}

// What a producer and a browser need.
output AZURE_RESOURCE_GROUP string = group.name
output FUNCTION_APP_NAME string = functionApp.outputs.name
output STREAM_URL_PATTERN string = 'https://${functionApp.outputs.defaultHostName}/api/channels/{channel}/stream'
output PUBLISH_URL_PATTERN string = 'https://${functionApp.outputs.defaultHostName}/api/channels/{channel}/events?event={name}'
output SERVICEBUS_FULLY_QUALIFIED_NAMESPACE string = serviceBus.outputs.fullyQualifiedNamespace
output SERVICEBUS_TOPIC string = serviceBus.outputs.eventsTopicName
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.name
