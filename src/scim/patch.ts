import { resolveAttribute, type ResolvedAttribute } from './attribute-paths.js';
import { invalidFilter, invalidPath, invalidSyntax, invalidValue, mutability, noTarget } from './errors.js';
import { checkExtension, isDropped, isPlain, MAX_MEMBERS, memberId, readValue, shown, type Plain } from './resource-input.js';
import { PATCH_OP_SCHEMA, RESOURCE_TYPES, type AttributeDefinition, type ResourceTypeName } from './schemas.js';

/**
 * SCIM PATCH (RFC 7644 §3.5.2) as Okta and Entra really send it: ops in any case (Entra's
 * Add/Replace/Remove), pathless replaces with plain or dotted keys, value-path filters
 * (`emails[type eq "work"].value`, `members[value eq "x"]`), booleans as "True"/"False", and
 * Entra's remove of members by value, which removes only the members named (azure-docs#30826).
 * Written here rather than taken from scim-patch, which gets that last one wrong (scim-patch#959),
 * and with its own small filter parser: a PATCH path needs comparisons of sub-attributes only.
 */
export interface PatchOperation {
  op: 'add' | 'remove' | 'replace';
  path?: string;
  /** Absent when the operation had none (a remove); null when it said null. */
  value?: unknown;
}

export const MAX_OPERATIONS = 1_000;
const MAX_PATH = 1_024;

const keyOf = (object: Plain, name: string) => Object.keys(object).find((k) => k.toLowerCase() === name);

export function readPatchRequest(body: unknown): PatchOperation[] {
  if (!isPlain(body)) throw invalidSyntax('The body must be a JSON object');
  const schemas = body[keyOf(body, 'schemas') ?? 'schemas'];
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === PATCH_OP_SCHEMA.toLowerCase())) {
    throw invalidSyntax(`schemas must be an array listing ${PATCH_OP_SCHEMA}`);
  }
  const operations = body[keyOf(body, 'operations') ?? 'Operations'];
  if (!Array.isArray(operations)) throw invalidSyntax('Operations must be an array of operations');
  if (operations.length === 0) throw invalidValue('Operations is empty: a PATCH has at least one operation');
  if (operations.length > MAX_OPERATIONS) throw invalidValue(`A PATCH takes at most ${MAX_OPERATIONS.toLocaleString('en-US')} operations; this one has ${operations.length.toLocaleString('en-US')}`);
  return operations.map(readOperation);
}

function readOperation(raw: unknown, i: number): PatchOperation {
  const at = `Operations[${i}]`;
  if (!isPlain(raw)) throw invalidSyntax(`${at} must be an object`);
  const opKey = keyOf(raw, 'op');
  const sent = opKey === undefined ? undefined : raw[opKey];
  const op = typeof sent === 'string' ? sent.toLowerCase() : undefined;
  if (op !== 'add' && op !== 'remove' && op !== 'replace') {
    throw invalidSyntax(sent === undefined ? `${at} has no op` : `${at}.op is ${shown(String(sent))}; it must be add, remove or replace`);
  }
  const pathKey = keyOf(raw, 'path');
  const path = pathKey === undefined || raw[pathKey] === null ? undefined : raw[pathKey];
  if (path !== undefined && (typeof path !== 'string' || path === '' || path.length > MAX_PATH)) throw invalidPath(`${at}.path must be a non-empty string of at most ${MAX_PATH.toLocaleString('en-US')} characters`);
  const valueKey = keyOf(raw, 'value');
  // RFC 7644 §3.5.2.2: a remove without a path fails with noTarget.
  if (op === 'remove' && path === undefined) throw noTarget(`${at}: remove needs a path`);
  if (op !== 'remove' && valueKey === undefined) throw invalidSyntax(`${at}: ${op} needs a value`);
  if (op !== 'remove' && path === undefined && !isPlain(raw[valueKey!])) throw invalidValue(`${at}: an ${op} without a path takes an object of attributes as its value`);
  return { op, ...(path !== undefined ? { path: path as string } : {}), ...(valueKey !== undefined ? { value: raw[valueKey] } : {}) };
}

// ---- Paths: attrPath / valuePath [subAttr] (RFC 7644 §3.5.2, Figure 7) ----

type Literal = string | number | boolean | null;
type Filter =
  | { kind: 'and' | 'or'; left: Filter; right: Filter }
  | { kind: 'not'; filter: Filter }
  | { kind: 'compare'; attribute: AttributeDefinition; op: 'eq' | 'ne' | 'co' | 'sw' | 'ew'; value: Literal }
  | { kind: 'present'; attribute: AttributeDefinition };

interface Target {
  path: string;
  resolved: ResolvedAttribute;
  /** The value filter of `attr[filter]`. */
  filter: Filter | null;
  /** `attr[filter].sub`: the sub-attribute of the selected values. */
  sub: AttributeDefinition | null;
}

function readPath(type: ResourceTypeName, path: string): Target {
  const open = path.indexOf('[');
  const head = open < 0 ? path : path.slice(0, open);
  const resolved = resolveAttribute(type, head);
  if (!resolved) throw invalidPath(`${shown(path)} names no attribute of a ${type}`);
  // A target that is dropped anyway (Entra's roles[primary eq "True"].value) is not read further.
  if (open < 0 || isDropped(resolved.definition)) return { path, resolved, filter: null, sub: null };
  const close = closingBracket(path, open);
  const { definition } = resolved;
  if (resolved.parent || !definition.multiValued || definition.type !== 'complex') throw invalidPath(`${shown(path)}: a value filter selects values of a multi-valued complex attribute`);
  const filter = parseFilter(path.slice(open + 1, close), definition);
  const rest = path.slice(close + 1);
  if (rest === '') return { path, resolved, filter, sub: null };
  const sub = rest.startsWith('.') ? definition.subAttributes?.find((a) => a.name.toLowerCase() === rest.slice(1).toLowerCase()) : undefined;
  if (!sub) throw invalidPath(`${shown(path)}: ${shown(rest)} after the filter is not a sub-attribute of ${definition.name}`);
  return { path, resolved, filter, sub };
}

/** The `]` closing the filter, skipping quoted strings (a value may contain `]`). */
function closingBracket(path: string, open: number): number {
  for (let i = open + 1; i < path.length; i++) {
    if (path[i] === '"') {
      for (i++; i < path.length && path[i] !== '"'; i++) if (path[i] === '\\') i++;
    } else if (path[i] === ']') return i;
  }
  throw invalidPath(`${shown(path)}: the value filter has no closing ]`);
}

const TOKEN = /\s*(?:(\()|(\))|("(?:[^"\\]|\\.)*")|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|([A-Za-z$][\w$-]*))/y;
type Token = { kind: '(' | ')' | 'string' | 'number' | 'word'; text: string };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break;
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (!m) throw invalidFilter(`The value filter ${shown(text)} cannot be read at ${shown(text.slice(at).trim())}`);
    const kind = m[1] ? '(' : m[2] ? ')' : m[3] ? 'string' : m[4] ? 'number' : 'word';
    tokens.push({ kind, text: m[1] ?? m[2] ?? m[3] ?? m[4] ?? m[5]! });
  }
  return tokens;
}

/** filter := or; or := and ("or" and)*; and := unary ("and" unary)*; unary := "not"? "(" or ")" | comparison. */
function parseFilter(text: string, parent: AttributeDefinition): Filter {
  const tokens = tokenize(text);
  let at = 0;
  const fail = (why: string): never => {
    throw invalidFilter(`The value filter ${shown(text)}: ${why}`);
  };
  const peekWord = (word: string) => tokens[at]?.kind === 'word' && tokens[at]!.text.toLowerCase() === word;
  const expect = (kind: Token['kind']) => (tokens[at]?.kind === kind ? tokens[at++]! : fail(`expected ${kind} at token ${at + 1}`));
  const or = (): Filter => {
    let left = and();
    while (peekWord('or')) {
      at++;
      left = { kind: 'or', left, right: and() };
    }
    return left;
  };
  const and = (): Filter => {
    let left = unary();
    while (peekWord('and')) {
      at++;
      left = { kind: 'and', left, right: unary() };
    }
    return left;
  };
  const unary = (): Filter => {
    if (peekWord('not')) {
      at++;
      expect('(');
      const filter = or();
      expect(')');
      return { kind: 'not', filter };
    }
    if (tokens[at]?.kind === '(') {
      at++;
      const filter = or();
      expect(')');
      return filter;
    }
    const name = expect('word').text;
    const attribute = parent.subAttributes?.find((a) => a.name.toLowerCase() === name.toLowerCase());
    if (!attribute) fail(`${shown(name)} is not a sub-attribute of ${parent.name}`);
    const op = expect('word').text.toLowerCase();
    if (op === 'pr') return { kind: 'present', attribute: attribute! };
    if (op !== 'eq' && op !== 'ne' && op !== 'co' && op !== 'sw' && op !== 'ew') return fail(`${shown(op)} is not supported in a PATCH path (eq, ne, co, sw, ew and pr are)`);
    const value = literal(tokens[at++]) ?? fail(`${op} needs a value`);
    if (op !== 'eq' && op !== 'ne' && typeof value.value !== 'string') fail(`${op} compares strings`);
    return { kind: 'compare', attribute: attribute!, op, value: value.value };
  };
  const filter = or();
  if (at < tokens.length) fail(`unexpected ${shown(tokens[at]!.text)}`);
  return filter;
}

function literal(token: Token | undefined): { value: Literal } | undefined {
  if (!token) return undefined;
  if (token.kind === 'string') return { value: JSON.parse(token.text) as string };
  if (token.kind === 'number') return { value: Number(token.text) };
  const word = token.text.toLowerCase();
  if (word === 'true' || word === 'false') return { value: word === 'true' };
  if (word === 'null') return { value: null };
  return undefined;
}

function matches(filter: Filter, item: Plain): boolean {
  switch (filter.kind) {
    case 'and':
      return matches(filter.left, item) && matches(filter.right, item);
    case 'or':
      return matches(filter.left, item) || matches(filter.right, item);
    case 'not':
      return !matches(filter.filter, item);
    case 'present': {
      const actual = item[filter.attribute.name];
      return actual !== undefined && actual !== null && actual !== '';
    }
    case 'compare': {
      const actual = item[filter.attribute.name];
      const fold = (v: unknown) => (typeof v === 'string' && !filter.attribute.caseExact ? v.toLowerCase() : v);
      const [a, b] = [fold(actual), fold(filter.value)];
      if (filter.op === 'eq') return b === null ? a === undefined || a === null : a === b;
      if (filter.op === 'ne') return !(b === null ? a === undefined || a === null : a === b);
      if (typeof a !== 'string' || typeof b !== 'string') return false;
      return filter.op === 'co' ? a.includes(b) : filter.op === 'sw' ? a.startsWith(b) : a.endsWith(b);
    }
  }
}

/** The value a filter of `sub eq literal` (joined with and) describes, for a write that matched nothing; else null. */
function described(filter: Filter): Plain | null {
  if (filter.kind === 'compare' && filter.op === 'eq' && filter.value !== null) return { [filter.attribute.name]: filter.value };
  if (filter.kind !== 'and') return null;
  const [left, right] = [described(filter.left), described(filter.right)];
  return left && right ? { ...left, ...right } : null;
}

// ---- Users ----

/** One value of a multi-valued attribute, read as its definition wants it. */
const readItem = (definition: AttributeDefinition, value: unknown, name: string) => readValue({ ...definition, multiValued: false }, value, name) as Plain;
const asList = (value: unknown) => (Array.isArray(value) ? value : [value]);
const valuesOf = (resource: Plain, key: string): Plain[] => (Array.isArray(resource[key]) ? (resource[key] as Plain[]) : []);

/** RFC 7644 §3.5.2: setting one value's primary to true sets the others' to false. */
function settlePrimary(values: Plain[], written: Plain[], name: string): void {
  const primaries = written.filter((item) => item.primary === true);
  if (primaries.length > 1) throw invalidValue(`${name}: only one value can be primary`);
  if (primaries.length === 1) for (const item of values) if (item !== primaries[0] && item.primary === true) item.primary = false;
}

const REQUIRED_USER = new Set(['userName', 'name', 'name.givenName', 'name.familyName']);
const EXTENSION_IDS = new Map(RESOURCE_TYPES.User.extensions.map((e) => [e.id.toLowerCase(), e.id]));

/**
 * The user after the operations, in order; the input is not touched. It only transforms: values
 * are checked again, and a changed e-mail refused, by whoever turns the result into an update
 * (readUserInput and the e-mail comparison).
 */
export function applyUserPatch<T extends Plain>(user: T, operations: PatchOperation[]): T {
  const resource = structuredClone(user) as Plain;
  const applyTo = (path: string, op: PatchOperation['op'], value: unknown, target: () => Target) => {
    const extension = EXTENSION_IDS.get(path.toLowerCase());
    if (extension) {
      if (op !== 'remove') checkExtension('User', extension, value);
      return;
    }
    applyOne(resource, op, target(), value);
  };
  for (const operation of operations) {
    if (operation.path !== undefined) {
      applyTo(operation.path, operation.op, operation.value, () => readPath('User', operation.path!));
      continue;
    }
    // Pathless: the value's keys name the attributes, plain, dotted (Entra's "name.givenName") or URN-prefixed.
    for (const [key, value] of Object.entries(operation.value as Plain)) {
      if (key.toLowerCase() === 'schemas') continue;
      applyTo(key, operation.op, value, () => {
        const resolved = resolveAttribute('User', key);
        if (!resolved) throw invalidValue(`Unknown attribute ${shown(key)}: /Schemas lists what a User has`);
        return { path: key, resolved, filter: null, sub: null };
      });
    }
  }
  return resource as T;
}

function applyOne(resource: Plain, op: PatchOperation['op'], target: Target, value: unknown): void {
  const { resolved, sub } = target;
  const top = resolved.parent ?? resolved.definition;
  if (top.name === 'id') {
    if (op === 'remove' || value !== resource.id) throw mutability('id cannot change');
    return;
  }
  // RFC 7644 §3.5.2 would have readOnly targets refused with mutability. They are ignored instead,
  // as RFC 7643 §2.2 asks of PUT: Entra maps displayName by default and sends it on every update,
  // and a 400 for a value that could not be kept anyway would stop that user's sync. writeOnly
  // ones here are the accepted-and-ignored attributes (password, locale, the extension's).
  if (isDropped(top) || isDropped(resolved.definition) || (sub && isDropped(sub))) return;
  const unassigns = value === null || (Array.isArray(value) && value.length === 0 && top.multiValued && !resolved.parent && !sub);
  if (op === 'remove' || (op === 'replace' && unassigns)) return remove(resource, target);
  if (unassigns) return; // add of nothing
  put(resource, op, target, value);
}

function remove(resource: Plain, target: Target): void {
  const { resolved, filter, sub } = target;
  const [topKey, childKey] = resolved.keys as [string, string | undefined];
  const name = resolved.keys.join('.');
  if (REQUIRED_USER.has(name)) throw invalidValue(`${name} is required; it cannot be removed`);
  const before = JSON.stringify(resource[topKey]);
  if (filter) {
    // RFC 7644 §3.5.2.2 asks noTarget only for a missing path; a filter that matches nothing
    // leaves nothing to remove, and a retried remove must not fail. (Replace differs: §3.5.2.3.)
    const values = valuesOf(resource, topKey);
    if (sub) for (const item of values.filter((v) => matches(filter, v))) delete item[sub.name];
    else {
      const kept = values.filter((v) => !matches(filter, v));
      // §3.5.2.2: with no values left, the attribute is unassigned.
      if (kept.length) resource[topKey] = kept;
      else delete resource[topKey];
    }
  } else if (childKey === undefined) {
    delete resource[topKey];
  } else if (Array.isArray(resource[topKey])) {
    for (const item of resource[topKey] as Plain[]) delete item[childKey];
  } else if (isPlain(resource[topKey])) {
    delete (resource[topKey] as Plain)[childKey];
  }
  if (topKey === 'emails' && JSON.stringify(resource[topKey]) !== before) throw mutability('emails cannot be removed: the e-mail address stays for the life of the user');
}

function put(resource: Plain, op: 'add' | 'replace', target: Target, value: unknown): void {
  const { resolved, filter, path } = target;
  const top = resolved.parent ?? resolved.definition;
  const [topKey, childKey] = resolved.keys as [string, string | undefined];
  if (filter) return putFiltered(resource, op, target, value);
  if (childKey !== undefined) {
    const read = readValue(resolved.definition, value, path);
    if (top.multiValued) {
      // `emails.value` (no filter): every value; RFC-silent, this is its plain reading.
      const values = valuesOf(resource, topKey).length ? valuesOf(resource, topKey) : [{}];
      for (const item of values) item[childKey] = read;
      resource[topKey] = values;
      if (childKey === 'primary') settlePrimary(values, values, path);
    } else {
      resource[topKey] = { ...(isPlain(resource[topKey]) ? (resource[topKey] as Plain) : {}), [childKey]: read };
    }
    return;
  }
  if (top.multiValued) {
    // A single value is taken as a list of one: RFC 7644 §3.5.2.1's examples add arrays, but a lone object is unambiguous.
    const items = asList(value).map((item, i) => readItem(top, item, `${path}[${i}]`));
    const values = op === 'add' ? [...valuesOf(resource, topKey), ...items] : items;
    settlePrimary(values, items, path);
    resource[topKey] = values;
  } else if (top.type === 'complex') {
    // Complex values merge, for replace too: `replace name {givenName}` keeps familyName.
    resource[topKey] = { ...(isPlain(resource[topKey]) ? (resource[topKey] as Plain) : {}), ...(readValue(top, value, path) as Plain) };
  } else {
    resource[topKey] = readValue(top, value, path);
  }
}

function putFiltered(resource: Plain, op: 'add' | 'replace', target: Target, value: unknown): void {
  const { resolved, filter, sub, path } = target;
  const top = resolved.definition;
  const values = valuesOf(resource, resolved.keys[0]!);
  let selected = values.filter((item) => matches(filter!, item));
  if (selected.length === 0) {
    // RFC 7644 §3.5.2.3: a replace whose filter matches none of the values there are is noTarget.
    // With no values at all the attribute "does not exist", which §3.5.2.3 treats as an add; an
    // add through a filter (RFC-silent; Entra's Add phoneNumbers[type eq "mobile"].value) makes
    // the value the filter describes, when it describes one.
    if (op === 'replace' && values.length > 0) throw noTarget(`${path} matches no value`);
    const made = described(filter!);
    if (!made) throw noTarget(`${path} matches no value, and its filter does not describe a new one (use attr[sub eq "x"])`);
    selected = [readItem(top, made, path)];
    values.push(selected[0]!);
  }
  for (const item of selected) {
    if (sub) item[sub.name] = readValue(sub, value, path);
    else {
      const read = readItem(top, value, path);
      // Replace puts the matched values' place with the new ones (§3.5.2.3); add merges into them.
      if (op === 'replace') for (const key of Object.keys(item)) delete item[key];
      Object.assign(item, read);
    }
  }
  resource[resolved.keys[0]!] = values;
  settlePrimary(values, sub === null || sub.name === 'primary' ? selected : [], path);
}

// ---- Groups ----

export type MemberChange = { kind: 'add'; ids: string[] } | { kind: 'remove'; ids: string[] } | { kind: 'clear' };

export interface GroupPatch {
  displayName?: string;
  /** null: cleared. */
  externalId?: string | null;
  /** In the order sent; applied by the caller as deltas to the members as they are then, under the group's lock. */
  members: MemberChange[];
}

/**
 * What a group PATCH changes, without the current members: the caller applies the member
 * changes as deltas under a lock, so two concurrent PATCHes never lose each other's members
 * (the stale read-modify-write of fleetdm/fleet#50724). `groupId` is the resource's id, which
 * Okta's rename repeats in its pathless replace.
 */
export function planGroupPatch(operations: PatchOperation[], groupId: string): GroupPatch {
  const patch: GroupPatch = { members: [] };
  for (const operation of operations) {
    const hasValue = 'value' in operation;
    if (operation.path !== undefined) {
      planOne(patch, operation.op, readPath('Group', operation.path), operation.value, hasValue, groupId);
      continue;
    }
    for (const [key, value] of Object.entries(operation.value as Plain)) {
      if (key.toLowerCase() === 'schemas') continue;
      const resolved = resolveAttribute('Group', key);
      if (!resolved) throw invalidValue(`Unknown attribute ${shown(key)}: /Schemas lists what a Group has`);
      planOne(patch, operation.op, { path: key, resolved, filter: null, sub: null }, value, true, groupId);
    }
  }
  return patch;
}

function planOne(patch: GroupPatch, op: PatchOperation['op'], target: Target, value: unknown, hasValue: boolean, groupId: string): void {
  const { resolved, path } = target;
  const top = resolved.parent ?? resolved.definition;
  switch (top.name) {
    case 'id':
      if (op === 'remove' || value !== groupId) throw mutability('id cannot change');
      return;
    case 'meta':
      return; // readOnly: ignored, as for users
    case 'displayName': {
      if (op === 'remove' || value === null) throw invalidValue('displayName is required; it cannot be removed');
      const name = readValue(top, value, 'displayName') as string;
      if (name.trim() === '') throw invalidValue('displayName is required');
      patch.displayName = name;
      return;
    }
    case 'externalId':
      patch.externalId = op === 'remove' || value === null ? null : (readValue(top, value, 'externalId') as string);
      return;
    default:
      return planMembers(patch, op, target, value, hasValue);
  }
}

/**
 * members, the RFC's three states told apart (RFC 7643 §2.5: unassigned, null and [] are the
 * same state): a PATCH that does not name members changes none of them; replace with [] or null
 * leaves none (§3.5.2.3 replaces the attribute's values with the value given); remove without a
 * value leaves none (§3.5.2.2); remove with a value removes only the members named, so an empty
 * list removes nobody (Entra's dialect, azure-docs#30826).
 */
function planMembers(patch: GroupPatch, op: PatchOperation['op'], target: Target, value: unknown, hasValue: boolean): void {
  const { resolved, filter, sub, path } = target;
  const part = sub ?? (resolved.parent ? resolved.definition : null);
  if (part) {
    if (isDropped(part)) return; // display: readOnly
    throw mutability(`${path}: a member's ${part.name} cannot change; add or remove the member instead`);
  }
  if (filter) {
    if (op !== 'remove') throw invalidPath(`${path}: a members filter is for remove; add members with path "members"`);
    patch.members.push({ kind: 'remove', ids: filteredIds(filter) });
    return;
  }
  if (op === 'add') {
    const ids = memberIds(value, path);
    if (ids.length) patch.members.push({ kind: 'add', ids });
  } else if (op === 'replace') {
    patch.members.push({ kind: 'clear' });
    const ids = memberIds(value, path);
    if (ids.length) patch.members.push({ kind: 'add', ids });
  } else if (!hasValue || value === null) {
    patch.members.push({ kind: 'clear' });
  } else {
    const ids = memberIds(value, path);
    if (ids.length) patch.members.push({ kind: 'remove', ids });
  }
}

function memberIds(value: unknown, path: string): string[] {
  if (value === null || value === undefined) return [];
  const items = asList(value);
  if (items.length > MAX_MEMBERS) throw invalidValue(`${path} takes at most ${MAX_MEMBERS.toLocaleString('en-US')} members at once`);
  const members = RESOURCE_TYPES.Group.core.attributes.find((a) => a.name === 'members')!;
  const ids = items.map((item, i) => memberId(readItem(members, item, `members[${i}]`), `members[${i}]`));
  return [...new Set(ids)];
}

/** `members[value eq "a" or value eq "b"]`: the ids named; any other members filter is refused. */
function filteredIds(filter: Filter): string[] {
  if (filter.kind === 'or') return [...new Set([...filteredIds(filter.left), ...filteredIds(filter.right)])];
  if (filter.kind === 'compare' && filter.op === 'eq' && filter.attribute.name === 'value' && typeof filter.value === 'string' && filter.value !== '') return [filter.value];
  throw invalidFilter('Only value eq selects members here: members[value eq "id"], several joined with or');
}
