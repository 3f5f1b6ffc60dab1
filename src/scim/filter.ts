import { parse as parseWithLibrary, type Filter as LibraryFilter } from 'scim2-parse-filter';
import { resolveAttribute, valueAt, type ResolvedAttribute } from './attribute-paths.js';
import { invalidFilter } from './errors.js';
import type { AttributeDefinition, ResourceTypeName } from './schemas.js';

/**
 * SCIM filters (RFC 7644 §3.4.2.2): `userName eq "x"`, `emails[type eq "work"].value eq "x"`,
 * `meta.lastModified gt "2024-01-01T00:00:00Z" and active eq true`.
 *
 * Parsing is scim2-parse-filter's, behind a guard: the text is bounded (length, nesting,
 * comparisons) before the library's recursive-descent parser sees it, since deep nesting
 * overflows its stack; quoted strings are taken out and read with JSON.parse (the RFC's string
 * rule is JSON's), because the library's string regex backtracks exponentially on an unterminated
 * string full of newlines and doubles backslashes; bare TRUE/FALSE/NULL are lower-cased, since the
 * RFC's literals are case-insensitive and the library only takes lower case. The library already
 * takes operators and attribute names in any case.
 *
 * Known shape of its output, acceptable here: `emails[type eq "work"].value eq "x"` becomes
 * `emails[type eq "work"] and emails.value eq "x"`, so the two halves may be met by two different
 * e-mails. An Anypoint user has exactly one e-mail, so the answer is the same.
 * Not supported by its tokenizer: `$ref` in a filter (refused as invalid syntax).
 */

export const MAX_FILTER_LENGTH = 2048;
/** Parentheses and brackets open at once. */
export const MAX_FILTER_DEPTH = 16;
export const MAX_FILTER_COMPARISONS = 64;
/** and/or/not: bounds `not not not ...`, which recurses in the library without any parenthesis. */
export const MAX_FILTER_LOGICAL_OPERATORS = 64;

export type CompareOperator = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
export type FilterLiteral = string | number | boolean | null;

/** A parsed filter; attribute paths stay as written until checked against a resource type. */
export type ScimFilter =
  | { op: 'and' | 'or'; filters: ScimFilter[] }
  | { op: 'not'; filter: ScimFilter }
  | { op: 'pr'; path: string }
  | { op: CompareOperator; path: string; value: FilterLiteral }
  /** `emails[type eq "work"]`: the inner filter's paths name sub-attributes of `path`. */
  | { op: 'valuePath'; path: string; filter: ScimFilter };

const COMPARE_OPERATORS = new Set<string>(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);
const LOGICAL_OPERATORS = new Set(['and', 'or', 'not']);
const LITERALS = new Set(['true', 'false', 'null']);
// The library's own word rule, so that what is one word here is one word there.
const WORD = /\w[-\w._:/%]*/y;

/** Parses filter text; every refusal is a ScimError invalidFilter, never the library's Error. */
export function parseFilter(text: string): ScimFilter {
  const { text: guarded, strings } = guard(text);
  let tree: LibraryFilter;
  try {
    tree = parseWithLibrary(guarded);
  } catch (error) {
    throw invalidFilter(describeSyntaxError(error, strings));
  }
  return convert(tree, strings);
}

/**
 * Bounds the text and rewrites it for the library: each quoted string becomes `"<index>"` into
 * `strings`, and bare literals are lower-cased. One pass, linear in the length.
 */
function guard(text: string): { text: string; strings: string[] } {
  if (text.length > MAX_FILTER_LENGTH) {
    throw invalidFilter(`The filter is ${text.length} characters long; at most ${MAX_FILTER_LENGTH} are accepted.`);
  }
  if (text.trim() === '') throw invalidFilter('The filter is empty.');
  const strings: string[] = [];
  let out = '';
  let depth = 0;
  let comparisons = 0;
  let logical = 0;
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"') {
      const end = closingQuote(text, i);
      let value: unknown;
      try {
        value = JSON.parse(text.slice(i, end + 1));
      } catch {
        throw invalidFilter(`The string starting at character ${i + 1} is not a valid JSON string (RFC 7644 §3.4.2.2).`);
      }
      out += `"${strings.length}"`;
      strings.push(value as string);
      i = end + 1;
      continue;
    }
    if (ch === '(' || ch === '[') {
      depth += 1;
      if (depth > MAX_FILTER_DEPTH) throw invalidFilter(`The filter nests parentheses and brackets deeper than ${MAX_FILTER_DEPTH} levels.`);
    } else if (ch === ')' || ch === ']') {
      depth = Math.max(0, depth - 1); // an unbalanced one is the parser's to report
    } else if (/\w/.test(ch)) {
      WORD.lastIndex = i;
      const word = WORD.exec(text)![0];
      const lower = word.toLowerCase();
      if ((COMPARE_OPERATORS.has(lower) || lower === 'pr') && ++comparisons > MAX_FILTER_COMPARISONS) {
        throw invalidFilter(`The filter has more than ${MAX_FILTER_COMPARISONS} comparisons.`);
      }
      if (LOGICAL_OPERATORS.has(lower) && ++logical > MAX_FILTER_LOGICAL_OPERATORS) {
        throw invalidFilter(`The filter has more than ${MAX_FILTER_LOGICAL_OPERATORS} and/or/not operators.`);
      }
      out += LITERALS.has(lower) ? lower : word;
      i += word.length;
      continue;
    }
    out += ch;
    i += 1;
  }
  return { text: out, strings };
}

function closingQuote(text: string, start: number): number {
  for (let j = start + 1; j < text.length; j += 1) {
    if (text[j] === '\\') j += 1;
    else if (text[j] === '"') return j;
  }
  throw invalidFilter(`The string starting at character ${start + 1} has no closing quote.`);
}

function describeSyntaxError(error: unknown, strings: string[]): string {
  // Not expected once the text is bounded; kept so that no RangeError ever escapes as a 500.
  if (error instanceof RangeError) return 'The filter is nested too deeply.';
  const raw = error instanceof Error ? error.message : String(error);
  // Put the caller's strings back in place of the placeholders the library saw.
  const message = raw.replace(/"(\d+)"/g, (whole, index: string) => (strings[Number(index)] !== undefined ? JSON.stringify(strings[Number(index)]) : whole));
  const readable = message.startsWith('unexpected EOT')
    ? `unexpected text after the end of an expression (${message.slice('unexpected EOT'.length).trim()})`
    : message.replace(/^\[\((EOT)\)\] is not json$/, 'a comparison has no value after its operator').replace(/^\[(.*)\((\w+)\)\] is not json$/, '$1 is not a value: use a quoted string, a number, true, false or null');
  const clipped = readable.length > 200 ? `${readable.slice(0, 200)}…` : readable;
  return `The filter is not valid SCIM filter syntax (RFC 7644 §3.4.2.2): ${clipped}.`;
}

function convert(node: LibraryFilter, strings: string[]): ScimFilter {
  switch (node.op) {
    case 'and':
    case 'or':
      return { op: node.op, filters: node.filters.map((child) => convert(child, strings)) };
    case 'not':
      return { op: 'not', filter: convert(node.filter, strings) };
    case '[]':
      return { op: 'valuePath', path: node.attrPath, filter: convert(node.valFilter, strings) };
    case 'pr':
      return { op: 'pr', path: node.attrPath };
    default: {
      // Every string the library returns is one of our placeholders: it saw no other quotes.
      const value = typeof node.compValue === 'string' ? strings[Number(node.compValue)]! : node.compValue;
      return { op: node.op, path: node.attrPath, value };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Evaluation. A filter is compiled once per resource type: names resolved, literals checked
// against the attribute's type, so an unknown name is refused even when there is nothing to scan.

type Predicate = (item: unknown) => boolean;
interface Scope {
  type: ResourceTypeName;
  /** Inside `emails[...]`: the complex attribute whose sub-attributes the paths name. */
  parent?: { path: string };
}

const compiled = new WeakMap<ScimFilter, Partial<Record<ResourceTypeName, (resource: Record<string, unknown>) => boolean>>>();

/** Refuses (invalidFilter) a filter that names unknown attributes or compares them wrongly. */
export function checkFilter(filter: ScimFilter, type: ResourceTypeName): void {
  compileFilter(filter, type);
}

export function compileFilter(filter: ScimFilter, type: ResourceTypeName): (resource: Record<string, unknown>) => boolean {
  const byType = compiled.get(filter) ?? {};
  let predicate = byType[type];
  if (!predicate) {
    predicate = compile(filter, { type }) as (resource: Record<string, unknown>) => boolean;
    byType[type] = predicate;
    compiled.set(filter, byType);
  }
  return predicate;
}

export function matchesFilter(filter: ScimFilter, resource: Record<string, unknown>, type: ResourceTypeName): boolean {
  return compileFilter(filter, type)(resource);
}

function compile(filter: ScimFilter, scope: Scope): Predicate {
  switch (filter.op) {
    case 'and': {
      const parts = filter.filters.map((f) => compile(f, scope));
      return (item) => parts.every((part) => part(item));
    }
    case 'or': {
      const parts = filter.filters.map((f) => compile(f, scope));
      return (item) => parts.some((part) => part(item));
    }
    case 'not': {
      const inner = compile(filter.filter, scope);
      return (item) => !inner(item);
    }
    case 'valuePath':
      return compileValuePath(filter.path, filter.filter, scope);
    case 'pr': {
      const { read } = attributeIn(scope, filter.path);
      return (item) => read(item).some(isPresent);
    }
    default:
      return compileComparison(filter.op, filter.path, filter.value, scope);
  }
}

function compileValuePath(path: string, inner: ScimFilter, scope: Scope): Predicate {
  if (scope.parent) throw invalidFilter(`A value filter cannot contain another: "${path}[...]" inside "${scope.parent.path}[...]".`);
  const resolved = known(scope.type, path);
  if (resolved.definition.type !== 'complex') throw invalidFilter(`"${path}[...]" needs a complex attribute; ${path} is a ${resolved.definition.type}.`);
  const test = compile(inner, { type: scope.type, parent: { path } });
  return (resource) => {
    const raw = valueAt(resource as Record<string, unknown>, resolved);
    const elements = Array.isArray(raw) ? raw : raw === undefined || raw === null ? [] : [raw];
    return elements.some((element) => typeof element === 'object' && element !== null && test(element));
  };
}

/** The definition of a path and how to read its values (always a flat list) from an item. */
function attributeIn(scope: Scope, path: string): { resolved: ResolvedAttribute; read: (item: unknown) => unknown[] } {
  if (scope.parent) {
    const resolved = resolveAttribute(scope.type, `${scope.parent.path}.${path}`);
    if (!resolved || resolved.keys.length !== 2) throw invalidFilter(`Unknown attribute "${path}" in "${scope.parent.path}[...]".`);
    refuseNeverReturned(resolved, path);
    const key = resolved.keys[1]!;
    return { resolved, read: (element) => flat((element as Record<string, unknown>)[key]) };
  }
  const resolved = known(scope.type, path);
  return { resolved, read: (resource) => flat(valueAt(resource as Record<string, unknown>, resolved)) };
}

function known(type: ResourceTypeName, path: string): ResolvedAttribute {
  const resolved = resolveAttribute(type, path);
  if (!resolved) throw invalidFilter(`Unknown attribute "${path}" for a ${type}.`);
  refuseNeverReturned(resolved, path);
  return resolved;
}

// Their values are never kept (password, the ignored attributes), so a filter on them would
// always answer "no": better to say so than to return an empty list that looks like an answer.
function refuseNeverReturned(resolved: ResolvedAttribute, path: string) {
  if (resolved.definition.returned === 'never' || resolved.parent?.returned === 'never') {
    throw invalidFilter(`"${path}" is not kept by this server, so it cannot be filtered on.`);
  }
}

function flat(value: unknown): unknown[] {
  if (Array.isArray(value)) return value.filter((v) => v !== undefined && v !== null);
  return value === undefined || value === null ? [] : [value];
}

/** RFC 7644 `pr`: a non-empty value; a complex one with at least one non-empty member. */
export function isPresent(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  if (Array.isArray(value)) return value.some(isPresent);
  if (typeof value === 'object') return Object.values(value).some(isPresent);
  return true;
}

function compileComparison(op: CompareOperator, path: string, literal: FilterLiteral, scope: Scope): Predicate {
  let { resolved, read } = attributeIn(scope, path);
  if (resolved.definition.type === 'complex') {
    // RFC 7644 §3.4.2.2: a complex attribute named without a sub-attribute means its `value`.
    const hasValue = resolved.definition.subAttributes?.some((s) => s.name === 'value');
    if (!hasValue) {
      const example = resolved.definition.subAttributes?.[0]?.name ?? 'value';
      throw invalidFilter(`"${path}" is complex: compare one of its sub-attributes, e.g. ${path}.${example}.`);
    }
    ({ resolved, read } = attributeIn(scope, `${path}.value`));
  }
  if (literal === null) {
    // null is "unassigned" (RFC 7643 §2.5): eq null is "not present", ne null is "present".
    if (op === 'eq') return (item) => !read(item).some(isPresent);
    if (op === 'ne') return (item) => read(item).some(isPresent);
    throw invalidFilter(`"${op}" cannot compare with null; use "pr" or "eq null".`);
  }
  const test = valueTest(op === 'ne' ? 'eq' : op, resolved.definition, literal, path);
  // ne is the negation of eq, so `ne` also matches a resource without the attribute, and a
  // multi-valued attribute none of whose values is equal (the RFC's "any value" read literally
  // would match when any value differs, which nobody means by "not equal").
  if (op === 'ne') return (item) => !read(item).some(test);
  return (item) => read(item).some(test);
}

function valueTest(op: Exclude<CompareOperator, 'ne'>, definition: AttributeDefinition, literal: Exclude<FilterLiteral, null>, path: string): (value: unknown) => boolean {
  const ordering = op === 'gt' || op === 'ge' || op === 'lt' || op === 'le';
  const textual = op === 'co' || op === 'sw' || op === 'ew';
  switch (definition.type) {
    case 'boolean':
      if (typeof literal !== 'boolean') throw invalidFilter(`${path} is a boolean: compare it with true or false, unquoted.`);
      if (op !== 'eq') throw invalidFilter(`"${op}" is not defined for a boolean attribute such as ${path} (RFC 7644 §3.4.2.2).`);
      return (value) => value === literal;
    case 'dateTime': {
      if (typeof literal !== 'string') throw invalidFilter(`${path} is a dateTime: compare it with a quoted date, e.g. "2024-01-01T00:00:00Z".`);
      if (textual) return stringTest(op, literal, false);
      const at = instant(literal);
      if (at === null) throw invalidFilter(`"${literal}" is not a dateTime (e.g. "2024-01-01T00:00:00Z").`);
      return (value) => {
        const other = instant(value);
        return other !== null && order(op, other, at);
      };
    }
    case 'integer':
    case 'decimal':
      if (typeof literal !== 'number') throw invalidFilter(`${path} is a number: compare it with an unquoted number.`);
      if (textual) throw invalidFilter(`"${op}" is not defined for a number such as ${path}.`);
      return (value) => typeof value === 'number' && order(op, value, literal);
    default:
      if (definition.type === 'binary' && ordering) throw invalidFilter(`"${op}" is not defined for a binary attribute such as ${path} (RFC 7644 §3.4.2.2).`);
      if (typeof literal !== 'string') throw invalidFilter(`${path} is a string: quote the value.`);
      return stringTest(op, literal, definition.caseExact);
  }
}

function stringTest(op: Exclude<CompareOperator, 'ne'>, literal: string, caseExact: boolean): (value: unknown) => boolean {
  const fold = caseExact ? (s: string) => s : (s: string) => s.toLowerCase();
  const wanted = fold(literal);
  return (value) => {
    if (typeof value !== 'string') return false;
    const have = fold(value);
    switch (op) {
      case 'co':
        return have.includes(wanted);
      case 'sw':
        return have.startsWith(wanted);
      case 'ew':
        return have.endsWith(wanted);
      default:
        return order(op, have, wanted);
    }
  };
}

function order<T extends string | number>(op: 'eq' | 'gt' | 'ge' | 'lt' | 'le' | 'co' | 'sw' | 'ew', a: T, b: T): boolean {
  switch (op) {
    case 'gt':
      return a > b;
    case 'ge':
      return a >= b;
    case 'lt':
      return a < b;
    case 'le':
      return a <= b;
    default:
      return a === b;
  }
}

// xsd:dateTime as RFC 7643 §2.3.5 has it, plus a bare date. A time without an offset is read as
// UTC: Date.parse would read it in the server's own zone, which would make answers depend on
// where the gateway runs.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/** Milliseconds since the epoch, or null when the value is not a dateTime. */
export function instant(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const text = value.toUpperCase();
  const match = DATE_TIME.exec(text);
  if (!match) return null;
  const full = !text.includes('T') ? `${text}T00:00:00Z` : match[1] === undefined ? `${text}Z` : text;
  const at = Date.parse(full);
  return Number.isNaN(at) ? null : at;
}

// ---------------------------------------------------------------------------------------------

export type LookupAttribute = 'id' | 'userName' | 'externalId' | 'displayName' | 'emails.value';

export interface EqualityLookup {
  attribute: LookupAttribute;
  value: string;
  /** Whether the attribute compares case-sensitively: a case-insensitive one needs a folded lookup. */
  caseExact: boolean;
}

/** The most selective first: an id names one resource, a displayName of a User may name several. */
const LOOKUP_PREFERENCE: LookupAttribute[] = ['id', 'userName', 'externalId', 'emails.value', 'displayName'];

/**
 * When the filter is `attr eq "string"` on one of the attributes the service can look up, or an
 * AND with such a conjunct, that attribute and value, so the service fetches candidates instead of
 * scanning. The whole filter must still be applied to what it finds (matchesFilter): the other
 * conjuncts, and the exact comparison rules, are not part of the lookup.
 */
export function equalityLookup(filter: ScimFilter, type: ResourceTypeName): EqualityLookup | null {
  let best: EqualityLookup | null = null;
  for (const conjunct of conjuncts(filter)) {
    if (conjunct.op !== 'eq' || typeof conjunct.value !== 'string') continue;
    let resolved = resolveAttribute(type, conjunct.path);
    if (resolved?.definition.type === 'complex') resolved = resolveAttribute(type, `${conjunct.path}.value`);
    if (!resolved || resolved.extension) continue;
    const name = resolved.keys.join('.') as LookupAttribute;
    if (!LOOKUP_PREFERENCE.includes(name)) continue;
    if (best === null || LOOKUP_PREFERENCE.indexOf(name) < LOOKUP_PREFERENCE.indexOf(best.attribute)) {
      best = { attribute: name, value: conjunct.value, caseExact: resolved.definition.caseExact };
    }
  }
  return best;
}

/**
 * When the filter is `meta.lastModified gt "T"` (or ge), alone or ANDed with other conditions, T
 * in milliseconds (the latest, should several conjuncts bound it): every resource the filter
 * matches was modified at T or after, so the service can read what changed since T instead of
 * listing everyone. As with equalityLookup, the whole filter is still applied to what it finds.
 */
export function modifiedSinceLookup(filter: ScimFilter, type: ResourceTypeName): number | null {
  let since: number | null = null;
  for (const conjunct of conjuncts(filter)) {
    if ((conjunct.op !== 'gt' && conjunct.op !== 'ge') || typeof conjunct.value !== 'string') continue;
    const resolved = resolveAttribute(type, conjunct.path);
    if (!resolved || resolved.extension || resolved.keys.join('.') !== 'meta.lastModified') continue;
    const at = instant(conjunct.value);
    if (at !== null && (since === null || at > since)) since = at;
  }
  return since;
}

/** The attribute paths a filter reads at its top level (a value path's own path, not its inner ones). */
export function filterPaths(filter: ScimFilter): string[] {
  switch (filter.op) {
    case 'and':
    case 'or':
      return filter.filters.flatMap(filterPaths);
    case 'not':
      return filterPaths(filter.filter);
    default:
      return [filter.path];
  }
}

function conjuncts(filter: ScimFilter): ScimFilter[] {
  return filter.op === 'and' ? filter.filters.flatMap(conjuncts) : [filter];
}
