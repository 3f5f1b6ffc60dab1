import { resolveAttribute, type ResolvedAttribute } from './attribute-paths.js';
import { invalidValue } from './errors.js';
import { checkFilter, compileFilter, filterPaths, instant, parseFilter, type ScimFilter } from './filter.js';
import { projector } from './projection.js';
import { GROUP_SCHEMA, LIST_RESPONSE_SCHEMA, USER_SCHEMA, type ResourceTypeName } from './schemas.js';

/**
 * A list request (RFC 7644 §3.4.2: GET /Users?filter=...&startIndex=1&count=100) read into a
 * validated query, and a list of resources cut into the ListResponse it asks for.
 *
 * Choices where the RFC is silent:
 * - Parameter names are matched in any case (`startindex` as `startIndex`): a client whose
 *   `startindex` were ignored would read page one forever. Unknown parameters are ignored (cache
 *   busters and the like); a parameter given twice, in any spelling, is refused, since which one
 *   to obey would be a guess.
 * - count above MAX_COUNT is cut to it (the RFC lets a server cap it; ServiceProviderConfig says
 *   so in filter.maxResults); count below 0 is 0, and count=0 returns totalResults only.
 * - startIndex below 1 is 1 (RFC); past the end is an empty page that still says totalResults.
 * - An empty `filter=` is refused (the grammar has no empty filter, and a client sending one has
 *   lost the filter it meant to send); an empty attributes list is no list.
 * - Order is total, so that pages never overlap or skip: by sortBy under the RFC's rules, then by
 *   id ascending, in both orders; without sortBy, by id.
 */
export const DEFAULT_COUNT = 100;
export const MAX_COUNT = 1000;

export interface ListQuery {
  filter: ScimFilter | null;
  /** 1-based. */
  startIndex: number;
  count: number;
  sortBy: ResolvedAttribute | null;
  sortOrder: 'ascending' | 'descending';
  attributes: string[];
  excludedAttributes: string[];
}

export interface ListResponse {
  schemas: [typeof LIST_RESPONSE_SCHEMA];
  totalResults: number;
  startIndex: number;
  itemsPerPage: number;
  Resources: Record<string, unknown>[];
}

const PARAMETERS = ['filter', 'startIndex', 'count', 'sortBy', 'sortOrder', 'attributes', 'excludedAttributes'] as const;
type Parameter = (typeof PARAMETERS)[number];
const BY_LOWER = new Map<string, Parameter>(PARAMETERS.map((p) => [p.toLowerCase(), p]));

export function readListQuery(params: URLSearchParams, type: ResourceTypeName): ListQuery {
  const given = new Map<Parameter, string>();
  for (const [name, value] of params) {
    const parameter = BY_LOWER.get(name.toLowerCase());
    if (!parameter) continue;
    if (given.has(parameter)) throw invalidValue(`The ${parameter} parameter is given more than once.`);
    given.set(parameter, value);
  }
  const filterText = given.get('filter');
  const filter = filterText === undefined ? null : parseFilter(filterText);
  if (filter) checkFilter(filter, type); // now, so that a typo is refused even when nothing is listed
  const attributes = names(given.get('attributes'));
  const excludedAttributes = names(given.get('excludedAttributes'));
  if (attributes.length && excludedAttributes.length) throw invalidValue('attributes and excludedAttributes cannot be used together (RFC 7644 §3.4.2.5).');
  const startIndex = Math.max(1, integer('startIndex', given.get('startIndex')) ?? 1);
  const count = Math.min(MAX_COUNT, Math.max(0, integer('count', given.get('count')) ?? DEFAULT_COUNT));
  const sortByText = given.get('sortBy');
  return {
    filter,
    startIndex,
    count,
    sortBy: sortByText === undefined || sortByText.trim() === '' ? null : sortAttribute(type, sortByText.trim()),
    sortOrder: sortOrder(given.get('sortOrder')),
    attributes,
    excludedAttributes,
  };
}

const names = (text: string | undefined) => (text ?? '').split(',').map((n) => n.trim()).filter(Boolean);

function integer(name: string, text: string | undefined): number | null {
  if (text === undefined) return null;
  const trimmed = text.trim(); // a '+' in a query string arrives as a space
  if (!/^[+-]?\d+$/.test(trimmed)) throw invalidValue(`${name} must be an integer; got "${trimmed.slice(0, 40)}".`);
  const value = Number(trimmed);
  // Beyond what a double holds exactly it is past any end anyway.
  return Math.max(-Number.MAX_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, value));
}

function sortOrder(text: string | undefined): ListQuery['sortOrder'] {
  if (text === undefined || text.trim() === '') return 'ascending';
  const lower = text.trim().toLowerCase();
  if (lower === 'ascending' || lower === 'descending') return lower;
  throw invalidValue(`sortOrder must be "ascending" or "descending"; got "${text.slice(0, 40)}".`);
}

function sortAttribute(type: ResourceTypeName, path: string): ResolvedAttribute {
  let resolved = resolveAttribute(type, path);
  if (!resolved) throw invalidValue(`Cannot sort by "${path}": no such attribute on a ${type}.`);
  if (resolved.definition.returned === 'never' || resolved.parent?.returned === 'never') {
    throw invalidValue(`Cannot sort by "${path}": this server does not keep it.`);
  }
  if (resolved.definition.type === 'complex') {
    // As in filters: a complex attribute stands for its `value` (emails, members).
    const value = resolveAttribute(type, `${path}.value`);
    if (!value) throw invalidValue(`Cannot sort by "${path}": it is complex; sort by one of its sub-attributes.`);
    resolved = value;
  }
  return resolved;
}

const WHOLE_SCHEMAS = new Set([USER_SCHEMA, GROUP_SCHEMA].map((id) => id.toLowerCase()));

/** The top-level attribute a path names, lower-cased: `urn:...:User:emails.value` is `emails`. */
const topName = (path: string) => path.slice(path.lastIndexOf(':') + 1).split('.')[0]!.toLowerCase();

/**
 * Whether the resources handed to listPage (or projected for a GET) must carry the top-level
 * attribute `name`, so that the service can skip an expensive read (a group's members, a user's
 * groups): when the answer returns it, or when the filter or sortBy reads it, since a filter on
 * `members[value eq "x"]` needs the members even when `excludedAttributes=members` leaves them out
 * of the answer. `requestOnly` is for attributes returned only when asked for (RFC 7643 `returned:
 * request`, as User.groups is).
 */
export function wantsAttribute(query: ListQuery, name: string, requestOnly = false): boolean {
  const wanted = name.toLowerCase();
  if (query.filter && filterPaths(query.filter).some((path) => topName(path) === wanted)) return true;
  if (query.sortBy && query.sortBy.keys[0]!.toLowerCase() === wanted) return true;
  if (query.attributes.length) return query.attributes.some((a) => topName(a) === wanted || (!requestOnly && WHOLE_SCHEMAS.has(a.toLowerCase())));
  if (requestOnly) return false;
  return !query.excludedAttributes.some((a) => !a.includes('.') && topName(a) === wanted);
}

// ---------------------------------------------------------------------------------------------

/** The value to sort a resource by (RFC 7644 §3.4.2.3), or undefined when it has none. */
function sortValue(resource: Record<string, unknown>, sortBy: ResolvedAttribute): string | number | undefined {
  const holder = sortBy.extension ? (resource[sortBy.schema] as Record<string, unknown> | undefined) : resource;
  const [top, sub] = sortBy.keys;
  let value: unknown = holder?.[top!];
  if (Array.isArray(value)) {
    // A multi-valued attribute sorts by its primary value, else its first.
    const item: unknown = value.find((v) => typeof v === 'object' && v !== null && (v as Record<string, unknown>).primary === true) ?? value[0];
    value = item;
  }
  if (sub !== undefined) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[sub] : undefined;
  switch (sortBy.definition.type) {
    case 'dateTime':
      return instant(value) ?? undefined;
    case 'boolean':
      return typeof value === 'boolean' ? Number(value) : undefined;
    case 'integer':
    case 'decimal':
      return typeof value === 'number' ? value : undefined;
    default:
      if (typeof value !== 'string' || value === '') return undefined;
      return sortBy.definition.caseExact ? value : value.toLowerCase();
  }
}

const compareIds = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Sorted copy. Keys are computed once per resource: n log n comparisons of ready values. */
function sorted(resources: readonly Record<string, unknown>[], query: ListQuery): Record<string, unknown>[] {
  const { sortBy } = query;
  const direction = query.sortOrder === 'descending' ? -1 : 1;
  const keyed = resources.map((resource) => ({ resource, id: String(resource.id ?? ''), key: sortBy ? sortValue(resource, sortBy) : undefined }));
  keyed.sort((a, b) => {
    if (sortBy) {
      // Missing values go last ascending and first descending (RFC 7644 §3.4.2.3).
      if (a.key === undefined && b.key !== undefined) return direction;
      if (a.key !== undefined && b.key === undefined) return -direction;
      if (a.key !== undefined && b.key !== undefined && a.key !== b.key) return (a.key < b.key ? -1 : 1) * direction;
    }
    return compareIds(a.id, b.id);
  });
  return keyed.map((k) => k.resource);
}

/**
 * The ListResponse for the query over all resources of a type: filtered, sorted, paged and
 * projected. Linear in the resources plus the sort; each page item projected once.
 */
export function listPage(resources: readonly Record<string, unknown>[], query: ListQuery, type: ResourceTypeName): ListResponse {
  const project = projector(type, { attributes: query.attributes, excludedAttributes: query.excludedAttributes });
  const predicate = query.filter ? compileFilter(query.filter, type) : null;
  const matched = predicate ? resources.filter((resource) => predicate(resource)) : resources;
  const totalResults = matched.length;
  const from = query.startIndex - 1;
  const page = query.count === 0 || from >= totalResults ? [] : sorted(matched, query).slice(from, from + query.count);
  return {
    schemas: [LIST_RESPONSE_SCHEMA],
    totalResults,
    startIndex: query.startIndex,
    itemsPerPage: page.length,
    Resources: page.map(project),
  };
}
