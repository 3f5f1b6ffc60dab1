import { COMMON_ATTRIBUTES, RESOURCE_TYPES, type AttributeDefinition, type ResourceSchema, type ResourceTypeName } from './schemas.js';

/**
 * Attribute names in filters, PATCH paths and `attributes` are case-insensitive and may carry
 * their schema's URN (RFC 7644 §3.10): `userName`, `USERNAME`,
 * `urn:ietf:params:scim:schemas:core:2.0:User:userName`, `name.givenName`,
 * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department`. This resolves any of
 * them to the one definition, and to the keys as the resource spells them.
 */
export interface ResolvedAttribute {
  /** The schema the attribute belongs to (the core schema for id, externalId, meta). */
  schema: string;
  /** Whether it lives under the extension's URN key in a resource. */
  extension: boolean;
  /** The canonical keys: ['name', 'givenName']. */
  keys: string[];
  definition: AttributeDefinition;
  /** The complex attribute a sub-attribute belongs to. */
  parent?: AttributeDefinition;
}

const byName = (attributes: AttributeDefinition[] | undefined, name: string) => attributes?.find((a) => a.name.toLowerCase() === name.toLowerCase());

/** null when the path names nothing this server knows. */
export function resolveAttribute(type: ResourceTypeName, path: string): ResolvedAttribute | null {
  const resource = RESOURCE_TYPES[type];
  const schemas: Array<{ schema: ResourceSchema; extension: boolean }> = [
    { schema: resource.core, extension: false },
    ...resource.extensions.map((schema) => ({ schema, extension: true })),
  ];
  let rest = path;
  let candidates = schemas;
  const lower = path.toLowerCase();
  // The URN is the longest prefix ending in ':' that names a schema; its attributes follow.
  const prefixed = schemas.find(({ schema }) => lower.startsWith(`${schema.id.toLowerCase()}:`));
  if (prefixed) {
    rest = path.slice(prefixed.schema.id.length + 1);
    candidates = [prefixed];
  } else if (lower.startsWith('urn:')) {
    return null;
  }
  const [first, ...more] = rest.split('.');
  if (!first || more.length > 1) return null;
  for (const { schema, extension } of candidates) {
    const top = byName(extension ? schema.attributes : [...schema.attributes, ...COMMON_ATTRIBUTES], first);
    if (!top) continue;
    if (more.length === 0) return { schema: schema.id, extension, keys: [top.name], definition: top };
    const sub = byName(top.subAttributes, more[0]!);
    if (!sub) return null;
    return { schema: schema.id, extension, keys: [top.name, sub.name], definition: sub, parent: top };
  }
  return null;
}

/** The value at the resolved attribute of a resource (an array of values under a multi-valued parent). */
export function valueAt(resource: Record<string, unknown>, resolved: ResolvedAttribute, schemaOfExtension?: string): unknown {
  let holder: unknown = resolved.extension ? resource[schemaOfExtension ?? resolved.schema] : resource;
  const [top, sub] = resolved.keys;
  holder = (holder as Record<string, unknown> | undefined)?.[top!];
  if (sub === undefined) return holder;
  if (Array.isArray(holder)) return holder.map((item) => (item as Record<string, unknown> | null)?.[sub]).filter((v) => v !== undefined);
  return (holder as Record<string, unknown> | undefined)?.[sub];
}
