import { createHash } from 'node:crypto';

/**
 * meta.version: a weak ETag of what the resource says (RFC 7644 §3.14), computed from its
 * representation instead of stored, so it needs no write of its own and is the same on every
 * replica: it changes exactly when something an identity provider can see changes.
 */
export function weakEtag(representation: unknown): string {
  return `W/"${createHash('sha256').update(stableJson(representation)).digest('base64url').slice(0, 22)}"`;
}

/** JSON with object keys sorted, so equal content always hashes alike. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Whether an If-Match header allows the write: `*`, or one of its tags equal to the current version (weakly). */
export function ifMatchAllows(header: string | undefined, current: string): boolean {
  if (header === undefined) return true;
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || bare(tag) === bare(current));
}
