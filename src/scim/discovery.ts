import { quote } from '../provisioning/validate.js';
import { notFound } from './errors.js';
import { LIST_RESPONSE_SCHEMA, RESOURCE_TYPES, type ResourceSchema } from './schemas.js';
import { MAX_COUNT } from './list-query.js';

/**
 * The discovery endpoints (RFC 7644 §4): what this server supports, said truthfully, so an
 * identity provider configures itself from them. Bulk, changePassword and POST .search are not
 * offered; filter, sort, PATCH and ETags are.
 */
const SPC_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
const RESOURCE_TYPE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';

export function serviceProviderConfig(baseUrl: string) {
  return {
    schemas: [SPC_SCHEMA],
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_COUNT },
    changePassword: { supported: false },
    sort: { supported: true },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'Bearer token',
        description: 'Authorization: Bearer <token>, where the token is a gateway API key with the provisioner role, or a JWT as for GraphQL.',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${baseUrl}/ServiceProviderConfig` },
  };
}

function schemaResource(schema: ResourceSchema, baseUrl: string) {
  return { schemas: [SCHEMA_SCHEMA], ...schema, meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${schema.id}` } };
}

const allSchemas = () => Object.values(RESOURCE_TYPES).flatMap((t) => [t.core, ...t.extensions]);

export const listOf = (resources: unknown[]) => ({ schemas: [LIST_RESPONSE_SCHEMA], totalResults: resources.length, startIndex: 1, itemsPerPage: resources.length, Resources: resources });

export function schemas(baseUrl: string, id?: string) {
  if (id === undefined) return listOf(allSchemas().map((s) => schemaResource(s, baseUrl)));
  const schema = allSchemas().find((s) => s.id === id);
  if (!schema) throw notFound(`Schema ${quote(id)} not found`);
  return schemaResource(schema, baseUrl);
}

function resourceType(name: keyof typeof RESOURCE_TYPES, baseUrl: string) {
  const type = RESOURCE_TYPES[name];
  return {
    schemas: [RESOURCE_TYPE_SCHEMA],
    id: type.name,
    name: type.name,
    endpoint: type.endpoint,
    description: type.core.description,
    schema: type.core.id,
    schemaExtensions: type.extensions.map((e) => ({ schema: e.id, required: false })),
    meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/${type.name}` },
  };
}

export function resourceTypes(baseUrl: string, name?: string) {
  if (name === undefined) return listOf((Object.keys(RESOURCE_TYPES) as Array<keyof typeof RESOURCE_TYPES>).map((n) => resourceType(n, baseUrl)));
  if (!Object.hasOwn(RESOURCE_TYPES, name)) throw notFound(`ResourceType ${quote(name)} not found`);
  return resourceType(name as keyof typeof RESOURCE_TYPES, baseUrl);
}

