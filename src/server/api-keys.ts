import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys: random secrets the gateway never stores. Configuration holds only their SHA-256
 * (API_KEYS), so a leaked config or log does not leak a usable key. The prefix makes a key
 * recognisable to secret scanners and to people reading a header.
 */
export const API_KEY_PREFIX = 'agk_';

/** A new key: the prefix and 32 random bytes (256 bits) in base64url, safe in any header. */
export function generateApiKey(): string {
  return `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** The SHA-256 of a key, lowercase hex, as written in API_KEYS. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * The entry whose hash matches the key, or null. Every entry is compared in constant time and
 * the loop never stops early, so response timing reveals neither a hash prefix nor which entry
 * (if any) matched.
 */
export function findApiKey<T extends { sha256: string }>(entries: readonly T[], key: string): T | null {
  const presented = createHash('sha256').update(key, 'utf8').digest();
  let found: T | null = null;
  for (const entry of entries) {
    const expected = Buffer.from(entry.sha256, 'hex');
    // A malformed configured hash decodes short; timingSafeEqual needs equal lengths.
    const same = expected.length === presented.length && timingSafeEqual(expected, presented);
    if (same && found === null) found = entry;
  }
  return found;
}
