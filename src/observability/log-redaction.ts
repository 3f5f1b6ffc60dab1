/**
 * Censors credentials in a log line's fields. The first line of defence is that no code logs
 * raw headers, request bodies or variables; this is the second, for a field that carries a
 * credential anyway (an error's context, a future log call).
 *
 * Done here rather than with pino's `redact` paths: wildcard paths (`*.token`) made pino run a
 * path-matching redactor over every value of every line, which cost more than the rest of the
 * line. This walks the few keys a line has and copies only when it finds a secret, so the
 * common line (an upstream call: ids, route, status, timing) passes through untouched.
 */
export const SECRET_FIELDS: readonly string[] = [
  'authorization',
  'x-api-key',
  'cookie',
  'clientSecret',
  'client_secret',
  'password',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'apiKey',
  'api_key',
  'secret',
  'jwt',
];

export const CENSOR = '[REDACTED]';

const SECRETS = new Set(SECRET_FIELDS);
/** Fields are looked for at the top level of a line, one level down (`headers.authorization`) and two down. */
const LEVELS = 3;

/** An object about to get a censored field: a shallow copy, so the caller's own object is never changed. */
function copyOf(value: object): Record<string, unknown> {
  if (Array.isArray(value)) return [...value] as unknown as Record<string, unknown>;
  if (value instanceof Error) {
    // The same class, message and stack (not enumerable), for pino's error serializer to find.
    return Object.create(Object.getPrototypeOf(value), Object.getOwnPropertyDescriptors(value)) as Record<string, unknown>;
  }
  return { ...value };
}

/** Replaces a field of a copy (defined, not assigned: an error's copied field may be read-only). */
function setField(copy: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
}

/** `value` with every secret field within reach censored; `value` itself when it holds none. */
export function redactSecrets<T>(value: T, level = 0): T {
  if (level === LEVELS || value === null || typeof value !== 'object') return value;
  const source = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const key in source) {
    if (!Object.hasOwn(source, key)) continue;
    const field = source[key];
    // An undefined field is left out of the line anyway.
    if (field === undefined) continue;
    const kept = SECRETS.has(key) ? CENSOR : redactSecrets(field, level + 1);
    if (kept !== field) setField((copy ??= copyOf(source)), key, kept);
  }
  return (copy ?? value) as T;
}
