// The gateway on the Flex Consumption plan (Linux, .NET isolated worker). Flex, not the legacy Linux
// Consumption plan: isolated-worker HTTP responses have been reported buffered there, which breaks SSE.
// Every connection the app makes (host storage, event log, Service Bus, telemetry) authenticates as the
// user-assigned identity: the settings hold addresses and the identity's client id, no keys.

param name string
param planName string
param location string
param tags object

@description('Resource id of the user-assigned identity the app runs as.')
param identityId string

@description('Client id of that identity (what the SDKs need to pick it).')
param identityClientId string

param storageAccountName string
param deploymentContainerUrl string
param tableServiceUri string
param serviceBusNamespace string
param appInsightsConnectionString string

@description('Settings under Gateway: (Stream, Functions, Retention, Tables, ServiceBus), written Gateway__Section__Key, values as strings.')
param gatewaySettings object

@description('Origins (https://app.example.com) whose pages may open streams with EventSource; empty = same-origin only.')
param corsAllowedOrigins array

@description('Let those origins send credentials (cookies): needed when browsers carry their access token in a cookie.')
param corsSupportCredentials bool

@description('.NET version of the isolated worker.')
param dotnetVersion string

@description('Memory per instance, in MB (Flex Consumption sizes).')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

@description('Most instances the app scales out to: the upper bound on cost, and (times perInstanceConcurrency) on open streams.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@description('Concurrent HTTP requests one instance takes before Flex adds another; each open stream holds one for its whole life.')
@minValue(1)
@maxValue(1000)
param httpPerInstanceConcurrency int

@description('Instances kept warm for the HTTP functions (0 = scale to zero; ingest then waits for the next request).')
@minValue(0)
param alwaysReadyInstances int

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

var identitySettings = {
  // Functions host storage (keys, timer locks), identity-based.
  AzureWebJobsStorage__accountName: storageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  // The event log (Table storage), read through Microsoft.Extensions.Azure.
  EventLogStorage__tableServiceUri: tableServiceUri
  EventLogStorage__credential: 'managedidentity'
  EventLogStorage__clientId: identityClientId
  // Service Bus (ingest, fan-out, publish), read through Microsoft.Extensions.Azure.
  EventBus__fullyQualifiedNamespace: serviceBusNamespace
  EventBus__credential: 'managedidentity'
  EventBus__clientId: identityClientId
  // Telemetry: the connection string is the address; the token from this identity is the credential.
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD;ClientId=${identityClientId}'
}

var appSettings = union(identitySettings, gatewaySettings)

resource app 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'gateway' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      minTlsVersion: '1.2'
      // HTTP/2 lets a browser keep many streams to the gateway on one connection (HTTP/1.1 allows six per host).
      http20Enabled: true
      cors: {
        allowedOrigins: corsAllowedOrigins
        // EventSource with withCredentials sends the token cookie; the browser drops the answer without this.
        supportCredentials: corsSupportCredentials
      }
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      // Long-lived streams and Flex scaling: Flex adds an instance when the HTTP requests in flight on the
      // current ones reach perInstanceConcurrency, and an SSE stream is a request in flight for minutes.
      // - Low concurrency (the platform default is 16 at 2048 MB) would start a new instance every 16 viewers:
      //   each one bills its memory for as long as a stream is open, runs its own ingest processor and fan-out
      //   subscription, and the app hits maximumInstanceCount at 16 x max streams.
      // - High concurrency packs streams densely: an idle stream costs little (about 11 KiB in Kestrel plus the
      //   gateway's session), but every event is written to every stream of its channel on that instance, so
      //   a busy channel with thousands of viewers on one instance makes delivery CPU-bound there.
      // The default (500) suits many mostly-idle viewers; lower it for chatty channels, raise
      // maximumInstanceCount for more streams. Streams above perInstanceConcurrency x maximumInstanceCount queue
      // or fail at the front end.
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
        alwaysReady: alwaysReadyInstances > 0 ? [
          {
            name: 'http'
            instanceCount: alwaysReadyInstances
          }
        ] : []
        triggers: {
          http: {
            perInstanceConcurrency: httpPerInstanceConcurrency
          }
        }
      }
      runtime: {
        name: 'dotnet-isolated'
        version: dotnetVersion
      }
    }
  }
}

// All settings in one place (this replaces the app's settings as a whole on every deployment).
resource settings 'Microsoft.Web/sites/config@2025-03-01' = {
  parent: app
  name: 'appsettings'
  properties: appSettings
}

// No FTP or SCM (Kudu) basic-auth publishing credentials: deployments (azd, the portal) authenticate with
// Microsoft Entra ID, and a leaked publishing password would otherwise be a way to replace the code.
resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: app
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: app
  name: 'scm'
  properties: {
    allow: false
  }
}

output name string = app.name
output defaultHostName string = app.properties.defaultHostName
