import { resolveAttribute } from './attribute-paths.js';
import { invalidSyntax, invalidValue } from './errors.js';
import { RESOURCE_TYPES, type AttributeDefinition, type ResourceTypeName } from './schemas.js';

/**
 * POST and PUT bodies (and a PATCHed resource) read against /Schemas: attribute names in any
 * case, extension attributes under their URN, each value checked against its definition.
 * readOnly attributes sent anyway (id, meta, groups, displayName) are ignored, as RFC 7643 §7
 * says; the accepted-and-ignored ones (password, locale, the enterprise extension) are dropped
 * here, so nothing after this (the audit trail included) sees a password. Anything /Schemas does
 * not describe is refused, naming it.
 */
export interface UserInput {
  userName: string;
  givenName: string;
  familyName: string;
  /** The primary e-mail, else the first. */
  email: string;
  /** The primary phone number, else the first; null when none. */
  phoneNumber: string | null;
  /** Absent from a PUT: left as it is (a PUT that leaves it out should not re-enable a disabled user). */
  active: boolean | undefined;
  externalId: string | null;
}

export interface GroupInput {
  displayName: string;
  externalId: string | null;
  /** The members' `value`s: SCIM user ids. */
  members: string[];
}

const MAX_USERNAME = 256;
const MAX_STRING = 1_024;
const MAX_VALUES = 10;
const MAX_MEMBERS = 10_000;

type Plain = Record<string, unknown>;
const isPlain = (value: unknown): value is Plain => typeof value === 'object' && value !== null && !Array.isArray(value);
const shown = (name: string) => JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}…` : name);

/** Entra sends booleans as the strings "True" and "False" (without its aadOptscim062020 flag). */
export function readBoolean(value: unknown, name: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  throw invalidValue(`${name} must be a boolean`);
}

function readString(value: unknown, name: string, max = MAX_STRING): string {
  if (typeof value !== 'string') throw invalidValue(`${name} must be a string`);
  if (value.length > max) throw invalidValue(`${name} must be at most ${max} characters`);
  return value;
}

/** A value as its definition wants it; undefined when it is to be dropped. */
function readValue(definition: AttributeDefinition, value: unknown, name: string, max: number): unknown {
  if (value === null) return undefined;
  if (definition.multiValued) {
    const items = Array.isArray(value) ? value : [value];
    const limit = name === 'members' ? MAX_MEMBERS : MAX_VALUES;
    if (items.length > limit) throw invalidValue(`${name} takes at most ${limit} values`);
    return items.map((item, i) => readSingle(definition, item, `${name}[${i}]`, max));
  }
  return readSingle(definition, value, name, max);
}

function readSingle(definition: AttributeDefinition, value: unknown, name: string, max: number): unknown {
  switch (definition.type) {
    case 'boolean':
      return readBoolean(value, name);
    case 'complex': {
      if (!isPlain(value)) throw invalidValue(`${name} must be an object`);
      const out: Plain = {};
      for (const [key, item] of Object.entries(value)) {
        const sub = definition.subAttributes?.find((a) => a.name.toLowerCase() === key.toLowerCase());
        if (!sub) throw invalidValue(`${name} has an unknown attribute ${shown(key)}`);
        if (sub.mutability === 'readOnly' && definition.name !== 'members') continue;
        const read = readValue(sub, item, `${name}.${sub.name}`, max);
        if (read !== undefined) out[sub.name] = read;
      }
      return out;
    }
    default:
      return readString(value, name, max);
  }
}

/** The body with canonical keys and checked values, the ignored attributes dropped. */
export function readResource(body: unknown, type: ResourceTypeName): Plain {
  if (!isPlain(body)) throw invalidSyntax('The body must be a JSON object');
  const resource = RESOURCE_TYPES[type];
  const known = [resource.core.id, ...resource.extensions.map((e) => e.id)];
  const schemas = body.schemas ?? body.Schemas;
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === resource.core.id.toLowerCase())) {
    throw invalidSyntax(`schemas must list ${resource.core.id}`);
  }
  for (const schema of schemas) {
    if (typeof schema !== 'string' || !known.some((k) => k.toLowerCase() === schema.toLowerCase())) throw invalidValue(`schemas lists ${shown(String(schema))}, which this server does not have`);
  }
  const out: Plain = {};
  for (const [key, value] of Object.entries(body)) {
    if (key.toLowerCase() === 'schemas') continue;
    const extension = resource.extensions.find((e) => e.id.toLowerCase() === key.toLowerCase());
    if (extension) {
      if (value !== null && !isPlain(value)) throw invalidValue(`${extension.id} must be an object`);
      for (const name of Object.keys(value ?? {})) {
        if (!resolveAttribute(type, `${extension.id}:${name}`)) throw invalidValue(`${extension.id} has an unknown attribute ${shown(name)}`);
      }
      // Every attribute of the extension is accepted and ignored (schemas.ts).
      continue;
    }
    const resolved = resolveAttribute(type, key);
    if (!resolved) throw invalidValue(`Unknown attribute ${shown(key)}; /Schemas lists what a ${type} has`);
    const { definition } = resolved;
    if (resolved.extension || definition.mutability === 'readOnly' || definition.mutability === 'writeOnly') continue;
    const name = resolved.keys.join('.');
    if (resolved.parent) {
      // A dotted key at the top (name.givenName): as if sent inside its parent.
      const parent = (out[resolved.keys[0]!] ??= {}) as Plain;
      const read = readValue(definition, value, name, MAX_STRING);
      if (read !== undefined) parent[resolved.keys[1]!] = read;
      continue;
    }
    const read = readValue(definition, value, name, name === 'userName' ? MAX_USERNAME : MAX_STRING);
    if (read !== undefined) out[definition.name] = read;
  }
  return out;
}

/** The primary value of a multi-valued attribute, else the first. */
function primary(values: unknown): string | null {
  if (!Array.isArray(values) || values.length === 0) return null;
  const chosen = (values.find((v) => (v as Plain).primary === true) ?? values[0]) as Plain;
  return typeof chosen.value === 'string' ? chosen.value : null;
}

const required = (value: unknown, name: string): string => {
  if (typeof value !== 'string' || value.trim() === '') throw invalidValue(`${name} is required`);
  return value;
};

/** Both POST and PUT need the whole user; a new user is active unless it says otherwise. */
export function readUserInput(body: unknown, mode: 'create' | 'replace'): UserInput {
  const user = readResource(body, 'User');
  const name = (user.name ?? {}) as Plain;
  return {
    userName: required(user.userName, 'userName'),
    givenName: required(name.givenName, 'name.givenName'),
    familyName: required(name.familyName, 'name.familyName'),
    email: required(primary(user.emails), 'emails (a value)'),
    phoneNumber: primary(user.phoneNumbers),
    active: user.active === undefined && mode === 'create' ? true : (user.active as boolean | undefined),
    externalId: (user.externalId as string | undefined) ?? null,
  };
}

export function readGroupInput(body: unknown): GroupInput {
  const group = readResource(body, 'Group');
  const members = ((group.members ?? []) as Plain[]).map((member, i) => {
    if (typeof member.value !== 'string' || member.value === '') throw invalidValue(`members[${i}].value must be a user id`);
    if (typeof member.type === 'string' && member.type.toLowerCase() !== 'user') throw invalidValue(`members[${i}]: nested groups are not supported; members are users`);
    return member.value;
  });
  return { displayName: required(group.displayName, 'displayName'), externalId: (group.externalId as string | undefined) ?? null, members };
}
