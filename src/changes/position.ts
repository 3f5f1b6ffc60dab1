import { badInput } from '../errors.js';

/**
 * Where a reader of the change feed is: in the platform's log, the time of the last entry read and
 * the ids read at that time (entries of one millisecond are told apart by id, so a restart from
 * that time skips exactly those); in the gateway's trail, its own cursor. Both survive restarts
 * (neither is a handle held in memory), so a token kept for a week still reads on from there.
 * Opaque to callers: base64url of a versioned JSON.
 */
export interface FeedPosition {
  /** The platform log: last entry time (ms) and the ids already read at that time. */
  platform: { at: number; ids: string[] };
  /** The gateway trail: the cursor after the last record read, or null for "from `from`". */
  trail: string | null;
  /** Where the gateway trail starts when `trail` is null (ms). */
  from: number;
  /** The organization the position is of: a token is not reused for another one. */
  org: string;
}

const PREFIX = 'chg1:';
/** A reader never needs more: ids share one millisecond only in a burst. */
const MAX_IDS = 1000;

export function startAt(org: string, from: number): FeedPosition {
  return { platform: { at: from, ids: [] }, trail: null, from, org };
}

export function encodePosition(position: FeedPosition): string {
  return Buffer.from(PREFIX + JSON.stringify([position.org, position.platform.at, position.platform.ids.slice(-MAX_IDS), position.trail, position.from])).toString('base64url');
}

/** A token this feed handed out for `org`, else BAD_USER_INPUT naming what is wrong. */
export function decodePosition(token: string, org: string): FeedPosition {
  const refuse = () => badInput('The change token is not one this gateway handed out (or is for another organization)');
  if (!/^[A-Za-z0-9_-]{1,20000}$/.test(token)) throw refuse();
  const text = Buffer.from(token, 'base64url').toString('utf8');
  if (!text.startsWith(PREFIX)) throw refuse();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.slice(PREFIX.length));
  } catch {
    throw refuse();
  }
  if (!Array.isArray(parsed) || parsed.length !== 5) throw refuse();
  const [tokenOrg, at, ids, trail, from] = parsed as unknown[];
  const valid =
    tokenOrg === org &&
    Number.isSafeInteger(at) &&
    Array.isArray(ids) &&
    ids.every((id) => typeof id === 'string') &&
    (trail === null || typeof trail === 'string') &&
    Number.isSafeInteger(from);
  if (!valid) throw refuse();
  return { org, platform: { at: at as number, ids: ids as string[] }, trail: trail as string | null, from: from as number };
}

/** Moves the platform side past an entry read at `at`. */
export function passPlatform(position: FeedPosition, at: number, id: string): void {
  if (at > position.platform.at) position.platform = { at, ids: [id] };
  else if (at === position.platform.at) position.platform.ids.push(id);
}
