import { badInput } from '../src/errors.js';
import type { ConnectionParent } from '../src/graph/parents.js';

/**
 * Relay connections over a fully loaded list. Cursors are opaque (base64 of an offset) because
 * Anypoint pages by offset; a cursor from another list is simply a position.
 */
export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

const encode = (offset: number) => Buffer.from(`o:${offset}`).toString('base64url');

function decode(cursor: string): number {
  const m = /^o:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw badInput(`"${cursor}" is not a cursor this API issued`);
  return Number(m[1]);
}

export function pageBounds(args: PageArgs, maxPageSize: number): { offset: number; first: number } {
  const first = args.first ?? 50;
  if (!Number.isInteger(first) || first < 0 || first > maxPageSize) throw badInput(`first must be between 0 and ${maxPageSize}`);
  const offset = args.after ? decode(args.after) + 1 : 0;
  return { offset, first };
}

export function connectionFrom<T>(items: readonly T[], args: PageArgs, maxPageSize: number): ConnectionParent<T> {
  const { offset, first } = pageBounds(args, maxPageSize);
  const slice = items.slice(offset, offset + first);
  const edges = slice.map((node, i) => ({ cursor: encode(offset + i), node }));
  return {
    totalCount: items.length,
    edges,
    nodes: slice,
    pageInfo: {
      hasNextPage: offset + slice.length < items.length,
      hasPreviousPage: offset > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

/** Case-insensitive substring match on any of the given fields. */
export function matchesSearch(search: string | null | undefined, ...fields: Array<string | null | undefined>): boolean {
  if (!search) return true;
  const needle = search.toLowerCase();
  return fields.some((f) => f?.toLowerCase().includes(needle));
}
