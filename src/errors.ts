/**
 * The gateway's error codes: one registry, surfaced as GraphQL `extensions.code`. README.md's
 * error table is checked against this list by a test (STYLE.md habit 5).
 */
export const ERROR_CODES = {
  BAD_USER_INPUT: 'An argument is invalid (bad id, cursor, page size or filter), or Anypoint rejected the input.',
  NOT_FOUND: 'The organization, environment, user, team or API does not exist (or is not visible to the connected app).',
  UNAUTHENTICATED: 'The gateway could not authenticate to Anypoint (connected-app credentials refused).',
  FORBIDDEN: "The connected app lacks the Anypoint scope this field needs.",
  CONFLICT: 'Anypoint refused a change that conflicts with existing data.',
  RATE_LIMITED: 'Anypoint kept answering 429/503 after the retry budget, or asked to wait too long.',
  UPSTREAM_UNAVAILABLE: 'Anypoint failed (5xx, connection reset, malformed response) after retries.',
  UPSTREAM_TIMEOUT: 'Anypoint did not answer within the configured timeouts.',
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
