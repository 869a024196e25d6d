// The one identity the gateway runs as. User-assigned (not system-assigned) so its roles can be granted
// before the app starts: the first instance finds its Service Bus and Table rights already in place.

@description('Name of the user-assigned managed identity.')
param name string

param location string
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output clientId string = identity.properties.clientId
