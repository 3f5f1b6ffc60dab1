import { resolveAttribute, type ResolvedAttribute } from './attribute-paths.js';
import { invalidPath, invalidSyntax, invalidValue, mutability, noTarget } from './errors.js';
import { matchesFilter, parseFilter, type ScimFilter } from './filter.js';
import { PATCH_OP_SCHEMA, RESOURCE_TYPES } from './schemas.js';

/**
 * SCIM PATCH (RFC 7644 §3.5.2) in the dialects identity providers really send: op names in any
 * case (Entra's Add/Replace/Remove), pathless replaces with plain or dotted keys, value-path
 * filters (`emails[type eq "work"].value`, `members[value eq "x"]`), and Entra's remove of
 * members by value without a filter, which removes only the members named (azure-docs#30826: a
 * literal reading of the RFC empties the group). Written here rather than taken from
 * scim-patch, which gets that last one wrong (scim-patch#959).
 */
export interface PatchOperation {
  op: 'add' | 'remove' | 'replace';
  path?: string;
  value?: unknown;
}

export const MAX_OPERATIONS = 1_000;

const EXTENSIONS = new Set(RESOURCE_TYPES.User.extensions.map((e) => e.id.toLowerCase()));

type Plain = Record<string, unknown>;
const isPlain = (value: unknown): value is Plain => typeof value === 'object' && value !== null && !Array.isArray(value);

export function readPatchRequest(body: unknown): PatchOperation[] {
  if (!isPlain(body)) throw invalidSyntax('The body must be a JSON object');
  const schemas = body.schemas;
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === PATCH_OP_SCHEMA.toLowerCase())) throw invalidSyntax(`A PATCH body lists ${PATCH_OP_SCHEMA} in schemas`);
  const operations = body.Operations ?? body.operations;
  if (!Array.isArray(operations) || operations.length === 0) throw invalidSyntax('Operations must be a non-empty array');
  if (operations.length > MAX_OPERATIONS) throw invalidValue(`A PATCH takes at most ${MAX_OPERATIONS} operations`);
  return operations.map((raw, i) => {
    if (!isPlain(raw)) throw invalidSyntax(`Operations[${i}] must be an object`);
    const op = typeof raw.op === 'string' ? raw.op.toLowerCase() : '';
    if (op !== 'add' && op !== 'remove' && op !== 'replace') throw invalidSyntax(`Operations[${i}].op must be add, remove or replace`);
    if (raw.path !== undefined && (typeof raw.path !== 'string' || raw.path.length === 0 || raw.path.length > 1_024)) throw invalidPath(`Operations[${i}].path must be a non-empty string`);
    const path = raw.path as string | undefined;
    if (op !== 'remove' && !('value' in raw)) throw invalidSyntax(`Operations[${i}] (${op}) needs a value`);
    if (op === 'remove' && path === undefined) throw noTarget(`Operations[${i}]: remove needs a path`);
    if (op !== 'remove' && path === undefined && !isPlain(raw.value)) throw invalidSyntax(`Operations[${i}]: an ${op} without a path takes an object of attributes`);
    return { op, ...(path !== undefined ? { path } : {}), ...('value' in raw ? { value: raw.value } : {}) };
  });
}

interface Target {
  resolved: ResolvedAttribute;
  /** The value filter, for `attr[filter]` paths. */
  filter: ScimFilter | null;
  /** `attr[filter].sub`: the sub-attribute of the matched values. */
  sub: string | null;
}

const PATH = /^([^[\]]+)\[(.+)\](?:\.([A-Za-z$][\w$-]*))?$/;

function readPath(path: string, type: 'User' | 'Group'): Target {
  const bracket = PATH.exec(path);
  const resolved = resolveAttribute(type, bracket ? bracket[1]! : path);
  if (!resolved) throw invalidPath(`${JSON.stringify(path.slice(0, 128))} names no attribute of a ${type}`);
  if (!bracket) return { resolved, filter: null, sub: null };
  if (resolved.parent || !resolved.definition.multiValued) throw invalidPath(`${path}: a value filter selects values of a multi-valued attribute`);
  const name = resolved.definition.name;
  const filter = parseFilter(`${name}[${bracket[2]}]`);
  const subName = bracket[3];
  const sub = subName === undefined ? null : resolved.definition.subAttributes?.find((a) => a.name.toLowerCase() === subName.toLowerCase())?.name;
  if (sub === undefined) throw invalidPath(`${path}: ${name} has no sub-attribute ${subName}`);
  return { resolved, filter, sub };
}

const clone = <T>(value: T): T => structuredClone(value);

/** Sets or merges one attribute of `resource` (add and replace: complex values merge, RFC 7644 §3.5.2.3). */
function put(resource: Plain, target: Target, op: 'add' | 'replace', value: unknown, path: string): void {
  const { resolved, filter, sub } = target;
  const [top, child] = resolved.keys as [string, string | undefined];
  const definition = resolved.parent ?? resolved.definition;
  if (filter) {
    const values = Array.isArray(resource[top]) ? (resource[top] as Plain[]) : [];
    const matched = values.filter((item) => matchesFilter(filter, { [top]: [item] }, 'User'));
    const kind = typeSelected(filter);
    if (matched.length === 0 && kind !== null && sub) {
      // `phoneNumbers[type eq "mobile"].value` on a user with no such number: Entra sets a value of
      // a kind the user has none of this way, and means "add one" (a 400 would quarantine its sync).
      resource[top] = [...values, { type: kind, [sub]: clone(value) }];
      return;
    }
    if (matched.length === 0) throw noTarget(`${path} matches no value`);
    for (const item of matched) {
      if (sub) item[sub] = clone(value);
      else if (isPlain(value)) Object.assign(item, clone(value));
      else throw invalidValue(`${path} takes an object`);
    }
    return;
  }
  if (child !== undefined) {
    if (definition.multiValued) {
      const values = Array.isArray(resource[top]) && (resource[top] as Plain[]).length ? (resource[top] as Plain[]) : [{}];
      for (const item of values) item[child] = clone(value);
      resource[top] = values;
    } else {
      resource[top] = { ...(isPlain(resource[top]) ? (resource[top] as Plain) : {}), [child]: clone(value) };
    }
    return;
  }
  if (definition.multiValued) {
    const values = value === null ? [] : Array.isArray(value) ? value : [value];
    resource[top] = op === 'add' && Array.isArray(resource[top]) ? [...(resource[top] as unknown[]), ...clone(values)] : clone(values);
  } else if (definition.type === 'complex' && isPlain(value)) {
    resource[top] = { ...(isPlain(resource[top]) ? (resource[top] as Plain) : {}), ...clone(value) };
  } else {
    resource[top] = clone(value);
  }
}

/** The kind a value filter selects when it is exactly `type eq "kind"`, else null. */
function typeSelected(filter: ScimFilter): string | null {
  const inner = filter.op === 'valuePath' ? filter.filter : filter;
  return inner.op === 'eq' && inner.path.toLowerCase() === 'type' && typeof inner.value === 'string' ? inner.value : null;
}

function remove(resource: Plain, target: Target): void {
  const { resolved, filter, sub } = target;
  const [top, child] = resolved.keys as [string, string | undefined];
  if (filter) {
    const values = Array.isArray(resource[top]) ? (resource[top] as Plain[]) : [];
    // A remove that matches nothing has nothing to do (RFC 7644 §3.5.2.2 asks noTarget only of replace).
    const kept = values.filter((item) => {
      if (!matchesFilter(filter, { [top]: [item] }, 'User')) return true;
      if (sub) delete item[sub];
      return Boolean(sub);
    });
    resource[top] = kept;
    return;
  }
  if (child === undefined) {
    delete resource[top];
    return;
  }
  const holder = resource[top];
  if (Array.isArray(holder)) for (const item of holder as Plain[]) delete item[child];
  else if (isPlain(holder)) delete holder[child];
}

/**
 * Whether a write to this attribute is to be skipped: readOnly ones IdPs send anyway (Entra maps
 * displayName by default; a 400 would stop its whole sync), and the accepted-and-ignored ones.
 * A different `id` is refused: that would be another resource.
 */
function skipped(target: Target, value: unknown, current: Plain): boolean {
  const { resolved } = target;
  if (resolved.keys[0] === 'id' && !resolved.parent) {
    if (value !== undefined && value !== current.id) throw mutability('id cannot change');
    return true;
  }
  const mutabilityOf = resolved.parent?.mutability === 'readOnly' ? 'readOnly' : resolved.definition.mutability;
  return resolved.extension || mutabilityOf === 'readOnly' || mutabilityOf === 'writeOnly';
}

/** The user after the operations; the input is left as it was. Values are checked afterwards (resource-bodies.ts). */
export function applyUserPatch<T extends Plain>(user: T, operations: PatchOperation[]): T {
  const resource = clone(user) as Plain;
  const apply = (op: PatchOperation['op'], path: string, value: unknown) => {
    const target = readPath(path, 'User');
    if (skipped(target, op === 'remove' ? undefined : value, resource)) return;
    if (op === 'remove') remove(resource, target);
    else put(resource, target, op, value, path);
  };
  for (const operation of operations) {
    if (operation.path !== undefined) {
      apply(operation.op, operation.path, operation.value);
      continue;
    }
    for (const [key, value] of Object.entries(operation.value as Plain)) {
      // schemas, and an extension's object of attributes (all of them accepted and ignored).
      if (key.toLowerCase() === 'schemas' || EXTENSIONS.has(key.toLowerCase())) continue;
      apply(operation.op, key, value);
    }
  }
  return resource as T;
}

export type MemberChange = { kind: 'add'; ids: string[] } | { kind: 'remove'; ids: string[] } | { kind: 'clear' };

export interface GroupPatch {
  displayName?: string;
  externalId?: string | null;
  /** In the order sent; applied as deltas to the team's members as they are then. */
  members: MemberChange[];
}

/** The member ids of a members value: objects with a user id in `value`; no `type` is fine, a Group is not. */
function memberIds(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  const items = Array.isArray(value) ? value : [value];
  if (items.length > 10_000) throw invalidValue('A PATCH adds or removes at most 10,000 members');
  return items.map((item, i) => {
    if (!isPlain(item) || typeof item.value !== 'string' || item.value === '') throw invalidValue(`members[${i}].value must be a user id`);
    if (typeof item.type === 'string' && item.type.toLowerCase() !== 'user') throw invalidValue(`members[${i}]: nested groups are not supported; members are users`);
    return item.value;
  });
}

/** `members[value eq "a" or value eq "b"]`: the ids it names; any other members filter is refused. */
function filteredIds(filter: ScimFilter): string[] {
  const inner = filter.op === 'valuePath' ? filter.filter : filter;
  const ids: string[] = [];
  const walk = (f: ScimFilter) => {
    if (f.op === 'or') return f.filters.forEach(walk);
    if (f.op === 'eq' && f.path.toLowerCase() === 'value' && typeof f.value === 'string') return ids.push(f.value);
    throw invalidPath('A members filter selects members by value: members[value eq "id"] (or several joined with or)');
  };
  walk(inner);
  return ids;
}

function readText(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length > 1_024) throw invalidValue(`${name} must be a string of at most 1,024 characters`);
  return value;
}

export function planGroupPatch(operations: PatchOperation[], groupId: string): GroupPatch {
  const patch: GroupPatch = { members: [] };
  const apply = (op: PatchOperation['op'], path: string, value: unknown) => {
    const target = readPath(path, 'Group');
    const [top, child] = target.resolved.keys;
    if (top === 'id' && !child) {
      if (op === 'remove' || value !== groupId) throw mutability('id cannot change');
      return;
    }
    if (top === 'meta') return;
    if (top === 'displayName') {
      if (op === 'remove') throw invalidValue('displayName is required');
      patch.displayName = readText(value, 'displayName');
      return;
    }
    if (top === 'externalId') {
      patch.externalId = op === 'remove' || value === null ? null : readText(value, 'externalId');
      return;
    }
    // members
    if (child !== undefined || target.sub) throw invalidPath(`${path}: members are added and removed whole`);
    if (target.filter) {
      if (op !== 'remove') throw invalidPath(`${path}: a members filter is for remove; add members with path "members"`);
      patch.members.push({ kind: 'remove', ids: filteredIds(target.filter) });
      return;
    }
    if (op === 'add') patch.members.push({ kind: 'add', ids: memberIds(value) });
    else if (op === 'replace') {
      patch.members.push({ kind: 'clear' });
      const ids = memberIds(value);
      if (ids.length) patch.members.push({ kind: 'add', ids });
    } else if (value === undefined || value === null) {
      patch.members.push({ kind: 'clear' });
    } else {
      // Entra, without aadOptscim062020: remove exactly these.
      patch.members.push({ kind: 'remove', ids: memberIds(value) });
    }
  };
  for (const operation of operations) {
    if (operation.path !== undefined) {
      apply(operation.op, operation.path, operation.value);
      continue;
    }
    for (const [key, value] of Object.entries(operation.value as Plain)) {
      if (key.toLowerCase() === 'schemas') continue;
      apply(operation.op, key, value);
    }
  }
  return patch;
}
