import { badInput } from '../src/errors.js';

/** API Manager instance ids are integers (API.md §0); GraphQL carries them as ID strings. */
export function parseApiId(id: string): number {
  if (!/^\d{1,15}$/.test(id)) throw badInput(`API id must be a positive integer, got "${id}"`);
  return Number(id);
}
