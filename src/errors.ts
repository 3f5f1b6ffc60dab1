/**
 * The gateway's error codes: one registry, surfaced as GraphQL `extensions.code`. README.md's
 * error table is checked against this list by a test (STYLE.md habit 5).
 */
export const ERROR_CODES = {
  BAD_USER_INPUT: 'An argument is invalid (bad id, cursor, page size or filter), or Anypoint rejected the input.',
  NOT_FOUND: 'The organization, environment, user, team or API does not exist (or is not visible to the connected app).',
  UNAUTHENTICATED: 'The caller sent no valid API key or bearer token where one is needed, or Anypoint refused the connected-app credentials.',
  FORBIDDEN: "The caller's roles do not allow the operation (mutations need provisioner, auditEvents needs auditor), or the connected app lacks the Anypoint scope a field needs.",
  CONFLICT: 'Anypoint refused a change that conflicts with existing data.',
  RATE_LIMITED: 'Anypoint kept answering 429/503 after the retry budget, or asked to wait too long.',
  UPSTREAM_UNAVAILABLE: "Anypoint failed (5xx, connection reset, malformed response) after retries, or the JWT issuer's key set could not be fetched.",
  UPSTREAM_TIMEOUT: "Anypoint (or the JWT issuer's key set) did not answer within the configured timeouts.",
  AUDIT_UNAVAILABLE: 'The audit trail could not record the intent of a mutation, so nothing was written upstream.',
  LOCK_TIMEOUT: 'Another push of the same group held its lock for longer than PROVISIONING_LOCK_TIMEOUT_MS; nothing was written.',
  LOCK_UNAVAILABLE: 'Redis, which serializes group pushes across replicas, is unreachable; nothing was written.',
  REQUEST_CANCELLED: 'The caller went away; its upstream calls were cancelled.',
  GRAPHQL_PARSE_FAILED: 'The query is not valid GraphQL syntax.',
  GRAPHQL_VALIDATION_FAILED: 'The query does not match the schema.',
  INTERNAL_SERVER_ERROR: 'An unexpected failure; details are in the gateway log, never in the response.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** A failure the gateway itself decides (not found, bad input), with a stable code. */
export class GatewayError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'GatewayError';
  }
}

export const notFound = (what: string, id: string | number): GatewayError => new GatewayError('NOT_FOUND', `${what} ${id} was not found`);
export const badInput = (message: string): GatewayError => new GatewayError('BAD_USER_INPUT', message);
