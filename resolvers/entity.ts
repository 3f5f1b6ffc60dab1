import { badInput } from '../src/errors.js';

/**
 * What a __resolveReference hands to @apollo/subgraph: a shallow copy of the loaded object. The
 * library tags the object it gets with its __typename (Object.defineProperty), and loaded objects
 * are the shared cache's own, frozen ones (src/cache/memory-backend.ts).
 */
export const asEntity = async <T extends object>(loading: Promise<T>): Promise<T> => ({ ...(await loading) });

/**
 * The id of a reference's nested key field (`organization { id }`, `environment { id }`), when
 * the representation carries it: a hint that narrows the lookup. Representations come from
 * callers, so a present but malformed one is refused rather than ignored (which would sweep).
 */
export function hintOf(ref: object, field: 'organization' | 'environment'): string | undefined {
  const nested = (ref as Record<string, unknown>)[field];
  if (nested === undefined || nested === null) return undefined;
  const id = (nested as Record<string, unknown>).id;
  if (typeof id !== 'string' || id === '') throw badInput(`${field}.id of a reference must be a non-empty ID`);
  return id;
}
