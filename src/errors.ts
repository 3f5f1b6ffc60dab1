/**
 * The gateway's error codes: one registry, surfaced as GraphQL `extensions.code`. docs/errors.md's
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
  UPSTREAM_VALUE_INVALID: 'Anypoint holds a value the gateway cannot return by its own rule (an e-mail address set by hand); that field is null, the rest of the answer is intact.',
  UPSTREAM_TIMEOUT: "Anypoint (or the JWT issuer's key set) did not answer within the configured timeouts.",
  AUDIT_UNAVAILABLE: 'The audit trail could not record the intent of a mutation, so nothing was written upstream.',
  LOCK_TIMEOUT: 'Another push of the same group held its lock for longer than PROVISIONING_LOCK_TIMEOUT_MS; nothing was written.',
  LOCK_UNAVAILABLE: 'Redis, which serializes group pushes across replicas, is unreachable; nothing was written.',
  REQUEST_CANCELLED: 'The caller went away; its upstream calls were cancelled.',
  OPERATION_LIMIT_EXCEEDED: 'The document breaks an operation limit (bytes, tokens, aliases, root fields, directives or depth); extensions.limit names it, with its maximum and the actual count. Nothing was executed.',
  COST_LIMIT_EXCEEDED: 'The estimated upstream calls or answer size of the operation is over the per-operation budget; extensions.cost has the estimate and the budget. Nothing was executed.',
  CALLER_BUDGET_EXCEEDED: "The caller has spent its upstream calls for this minute (CALLER_UPSTREAM_CALLS_PER_MINUTE); HTTP 429 with Retry-After. Nothing was executed.",
  OPERATION_TIMEOUT: 'The query ran longer than GRAPHQL_EXECUTION_TIMEOUT_MS; its upstream calls were aborted.',
  RESPONSE_TOO_LARGE: 'The answer would be larger than GRAPHQL_MAX_RESPONSE_MB; ask for fewer fields or smaller pages.',
  DOWNLOAD_REFUSED: 'A file link points at a host that is not allowed (not on DOWNLOAD_ALLOWED_HOSTS, not https, a private address, or a redirect off the list); the field is null.',
  DOWNLOAD_TOO_LARGE: 'A downloaded file, or what its archive inflates to, is over DOWNLOAD_MAX_MB, DOWNLOAD_MAX_INFLATED_MB or DOWNLOAD_MAX_ZIP_ENTRIES; the field is null.',
  BAD_REQUEST: 'The HTTP request is malformed: not JSON, too large a body, no query, or a GET for a mutation.',
  PERSISTED_QUERY_NOT_FOUND: 'An automatic persisted query hash that the gateway does not know yet; send the query text with it.',
  PERSISTED_QUERY_HASH_MISMATCH: 'The persisted query hash sent does not match the SHA-256 of the query text sent with it.',
  OPERATION_RESOLUTION_FAILURE: 'The request names an operation its document does not define, or the document defines several and the request names none.',
  GRAPHQL_PARSE_FAILED: 'The query is not valid GraphQL syntax.',
  GRAPHQL_VALIDATION_FAILED: 'The query does not match the schema.',
  INTERNAL_SERVER_ERROR: 'An unexpected failure; details are in the gateway log, never in the response.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The most characters of one value a caller sent that any message repeats (then an ellipsis). */
export const ECHO_LIMIT = 64;

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
