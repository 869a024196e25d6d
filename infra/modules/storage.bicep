// The app's own storage account: the Functions host's state (AzureWebJobsStorage: keys, timer locks), the
// deployment package container Flex Consumption runs from, and the event log table. Shared-key access is
// off: every caller authenticates with Microsoft Entra ID (the gateway with its managed identity).

param name string
param location string
param tags object

@description('Blob container Flex Consumption deploys the app package to.')
param deploymentContainerName string

@description('Table holding every channel\'s event log (Gateway:Tables:TableName).')
param eventLogTableName string

@description('Name of the gateway\'s user-assigned identity (in this resource group).')
param identityName string

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: identityName
}

// Built-in roles.
var storageBlobDataOwner = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b')
var storageTableDataContributor = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3')

resource account 'Microsoft.Storage/storageAccounts@2025-06-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-06-01' = {
  parent: account
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' = {
  parent: blobService
  name: deploymentContainerName
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2025-06-01' = {
  parent: account
  name: 'default'
}

resource eventLogTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2025-06-01' = {
  parent: tableService
  name: eventLogTableName
}

// Blob Data Owner on the account, not only on the deployment container: the same identity is the host's
// AzureWebJobsStorage connection, and the host keeps its keys and timer-trigger locks in containers it creates
// itself (azure-webjobs-secrets, azure-webjobs-hosts). The account holds nothing but this app's data.
resource blobOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, identity.id, storageBlobDataOwner)
  scope: account
  properties: {
    roleDefinitionId: storageBlobDataOwner
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// Read, insert and delete entities in the event log (append, replay, retention), on that table alone: no other
// table of the account. The table is created here, so the gateway need not create it (it carries on when a
// create is refused).
resource tableContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(eventLogTable.id, identity.id, storageTableDataContributor)
  scope: eventLogTable
  properties: {
    roleDefinitionId: storageTableDataContributor
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

output name string = account.name
output blobEndpoint string = account.properties.primaryEndpoints.blob
output tableEndpoint string = account.properties.primaryEndpoints.table
output deploymentContainerUrl string = '${account.properties.primaryEndpoints.blob}${deploymentContainer.name}'
