import { resolveAttribute } from './attribute-paths.js';
import { invalidSyntax, invalidValue } from './errors.js';
import { COMMON_ATTRIBUTES, RESOURCE_TYPES, type AttributeDefinition, type ResourceTypeName } from './schemas.js';

/**
 * POST and PUT bodies read against the definitions /Schemas serves (schemas.ts): names in any
 * case, extension attributes under their URN key, every kept value checked for its JSON type.
 * readOnly attributes sent anyway are ignored (RFC 7643 §2.2: "the server SHALL ignore" readOnly
 * values; Okta sends groups:[] and displayName), and the accepted-and-ignored writeOnly ones
 * (password, locale, the enterprise extension) are dropped here, so that nothing downstream (logs,
 * audit, errors) can ever see a password. Anything /Schemas does not describe is refused by name.
 */
export interface UserInput {
  userName: string;
  givenName: string;
  familyName: string;
  /** The primary e-mail, else the first. */
  email: string;
  /** The primary phone number, else the first; null when none. */
  phoneNumber: string | null;
  /**
   * true when a POST leaves it out. undefined when a PUT leaves it out: RFC 7644 §3.5.1 lets the
   * server take an omitted readWrite attribute as "not asserted", and re-enabling a user the IdP
   * disabled because its PUT forgot `active` would be the dangerous reading.
   */
  active: boolean | undefined;
  externalId: string | null;
}

export interface GroupInput {
  displayName: string;
  externalId: string | null;
  /** The members' `value`s (SCIM user ids), first occurrence order, duplicates collapsed. */
  members: string[];
}

export const MAX_USERNAME = 256;
export const MAX_STRING = 1_024;
export const MAX_VALUES = 10;
export const MAX_MEMBERS = 10_000;

export type Plain = Record<string, unknown>;
export const isPlain = (value: unknown): value is Plain => typeof value === 'object' && value !== null && !Array.isArray(value);
/** A name from the request, quoted and cut short, for error details. */
export const shown = (name: string) => JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}…` : name);

/** Entra sends booleans as the strings "True" and "False" unless its aadOptscim062020 flag is on. */
export function readBoolean(value: unknown, name: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  throw invalidValue(`${name} must be a boolean`);
}

/** Whether a write to this attribute is dropped rather than kept (readOnly or accepted-and-ignored). */
export const isDropped = (definition: AttributeDefinition) => definition.mutability === 'readOnly' || definition.mutability === 'writeOnly';

const limitOf = (definition: AttributeDefinition) => (definition.name === 'members' ? MAX_MEMBERS : MAX_VALUES);

/**
 * One attribute's value as its definition wants it, with canonical sub-attribute keys; undefined
 * for null (RFC 7643 §2.5: null is unassigned). Sub-attributes that are dropped are left out.
 */
export function readValue(definition: AttributeDefinition, value: unknown, name: string): unknown {
  if (value === null) return undefined;
  if (!definition.multiValued) return readSingle(definition, value, name);
  if (!Array.isArray(value)) throw invalidValue(`${name} must be an array`);
  if (value.length > limitOf(definition)) throw invalidValue(`${name} takes at most ${limitOf(definition).toLocaleString('en-US')} values`);
  return value.map((item, i) => readSingle(definition, item, `${name}[${i}]`));
}

function readSingle(definition: AttributeDefinition, value: unknown, name: string): unknown {
  switch (definition.type) {
    case 'boolean':
      return readBoolean(value, name);
    case 'complex':
      return readComplex(definition, value, name);
    case 'string':
    case 'reference': {
      if (typeof value !== 'string') throw invalidValue(`${name} must be a string`);
      const max = definition.name === 'userName' ? MAX_USERNAME : MAX_STRING;
      if (value.length > max) throw invalidValue(`${name} must be at most ${max.toLocaleString('en-US')} characters`);
      return value;
    }
    default:
      // No kept attribute has another type; the ignored ones never get here.
      throw invalidValue(`${name}: values of type ${definition.type} are not accepted`);
  }
}

function readComplex(definition: AttributeDefinition, value: unknown, name: string): Plain {
  if (!isPlain(value)) throw invalidValue(`${name} must be an object`);
  const out: Plain = {};
  const seen = new Set<string>();
  for (const [key, item] of Object.entries(value)) {
    const sub = definition.subAttributes?.find((a) => a.name.toLowerCase() === key.toLowerCase());
    if (!sub) throw invalidValue(`${name} has an unknown attribute ${shown(key)}`);
    if (seen.has(sub.name)) throw invalidValue(`${name}.${sub.name} is sent twice (names are case-insensitive)`);
    seen.add(sub.name);
    if (isDropped(sub)) continue;
    const read = readValue(sub, item, `${name}.${sub.name}`);
    if (read !== undefined) out[sub.name] = read;
  }
  return out;
}

/** Checks an extension's object of attributes; they are all accepted and ignored (schemas.ts). */
export function checkExtension(type: ResourceTypeName, urn: string, value: unknown): void {
  if (value === null) return;
  if (!isPlain(value)) throw invalidValue(`${urn} must be an object`);
  for (const key of Object.keys(value)) {
    if (!resolveAttribute(type, `${urn}:${key}`)) throw invalidValue(`${urn} has an unknown attribute ${shown(key)}`);
  }
}

/** The body's kept attributes under canonical keys; the dropped ones left out. */
function readResource(body: unknown, type: ResourceTypeName): Plain {
  if (!isPlain(body)) throw invalidSyntax('The body must be a JSON object');
  const { core, extensions } = RESOURCE_TYPES[type];
  const schemaKey = Object.keys(body).find((k) => k.toLowerCase() === 'schemas');
  const schemas = schemaKey === undefined ? undefined : body[schemaKey];
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === core.id.toLowerCase())) {
    throw invalidSyntax(`schemas must be an array listing ${core.id}`);
  }
  const known = [core.id, ...extensions.map((e) => e.id)].map((id) => id.toLowerCase());
  for (const schema of schemas) {
    if (typeof schema !== 'string' || !known.includes(schema.toLowerCase())) throw invalidValue(`schemas lists ${shown(String(schema))}, a schema this server does not have`);
  }
  const attributes = [...core.attributes, ...COMMON_ATTRIBUTES];
  const out: Plain = {};
  const seen = new Set<string>();
  for (const [key, value] of Object.entries(body)) {
    if (key === schemaKey) continue;
    const canonical = key.toLowerCase();
    if (seen.has(canonical)) throw invalidValue(`${shown(key)} is sent twice (names are case-insensitive)`);
    seen.add(canonical);
    const extension = extensions.find((e) => e.id.toLowerCase() === canonical);
    if (extension) {
      checkExtension(type, extension.id, value);
      continue;
    }
    // A body holds plain attribute names (RFC 7643 §2.1); dotted or URN-prefixed keys are PATCH's.
    const definition = attributes.find((a) => a.name.toLowerCase() === canonical);
    if (!definition) throw invalidValue(`Unknown attribute ${shown(key)}: /Schemas lists what a ${type} has`);
    if (isDropped(definition)) continue;
    const read = readValue(definition, value, definition.name);
    if (read !== undefined) out[definition.name] = read;
  }
  return out;
}

/** The primary value of a multi-valued attribute, else the first; null when none. */
function primaryValue(values: unknown, name: string): string | null {
  if (!Array.isArray(values) || values.length === 0) return null;
  (values as Plain[]).forEach((item, i) => {
    if (typeof item.value !== 'string') throw invalidValue(`${name}[${i}].value is required`);
  });
  const chosen = (values as Plain[]).find((item) => item.primary === true) ?? (values[0] as Plain);
  return chosen.value as string;
}

/** Present and not blank. Not trimmed: what is sent is what Anypoint gets, or a refusal. */
function required(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalidValue(`${name} is required`);
  return value;
}

export function readUserInput(body: unknown, mode: 'create' | 'replace'): UserInput {
  const user = readResource(body, 'User');
  const name = (user.name ?? {}) as Plain;
  const active = user.active as boolean | undefined;
  return {
    userName: required(user.userName, 'userName'),
    givenName: required(name.givenName, 'name.givenName'),
    familyName: required(name.familyName, 'name.familyName'),
    email: required(primaryValue(user.emails, 'emails'), 'emails (an e-mail value)'),
    phoneNumber: primaryValue(user.phoneNumbers, 'phoneNumbers'),
    active: active === undefined && mode === 'create' ? true : active,
    externalId: (user.externalId as string | undefined) ?? null,
  };
}

/** A member's user id; members without `type` are fine (Okta and Entra send none, SCIM-SDK#419). */
export function memberId(member: Plain, name: string): string {
  if (typeof member.type === 'string' && member.type.toLowerCase() !== 'user') throw invalidValue(`${name}: nested groups are not supported; members are users`);
  if (typeof member.value !== 'string' || member.value === '') throw invalidValue(`${name}.value must be a user id (a non-empty string)`);
  return member.value;
}

export function readGroupInput(body: unknown): GroupInput {
  const group = readResource(body, 'Group');
  const members = ((group.members ?? []) as Plain[]).map((member, i) => memberId(member, `members[${i}]`));
  return {
    displayName: required(group.displayName, 'displayName'),
    externalId: (group.externalId as string | undefined) ?? null,
    members: [...new Set(members)],
  };
}
