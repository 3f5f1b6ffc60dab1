import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLError, GraphQLFormattedError } from 'graphql';
import { AnypointError, type AnypointErrorCode } from '../anypoint/errors.js';
import { ERROR_CODES, GatewayError, type ErrorCode } from '../errors.js';
import { LockTimeoutError, LockUnavailableError } from '../provisioning/locks.js';
import { truncateEchoes } from './echo-truncation.js';

/**
 * The one place upstream and domain errors become GraphQL errors (STYLE.md habit 4). Known
 * failures keep a stable extensions.code and a safe message; anything else is masked, and the
 * original goes to the log, never to the caller.
 */
const FROM_UPSTREAM: Record<AnypointErrorCode, ErrorCode> = {
  BAD_REQUEST: 'BAD_USER_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  RATE_LIMITED: 'RATE_LIMITED',
  UPSTREAM_UNAVAILABLE: 'UPSTREAM_UNAVAILABLE',
  TIMEOUT: 'UPSTREAM_TIMEOUT',
  ABORTED: 'REQUEST_CANCELLED',
};

/** Apollo's own codes (and the role checks') for requests refused before any resolver ran, kept as they are. */
const APOLLO_CODES = new Set<string>([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'PERSISTED_QUERY_NOT_FOUND',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'UNAUTHENTICATED',
  'FORBIDDEN',
]);

/**
 * Anypoint (or a proxy before it) refusing a request line or headers as too long: an argument
 * that went into the URL (a 900 KB id) was too long. The caller's input, not an outage.
 */
const REQUEST_TOO_LONG = new Set([414, 431]);

/** Apollo's words for a persisted-query hash that does not match the query sent with it; it gives that error no code. */
const HASH_MISMATCH = 'provided sha does not match query';
/** @apollo/subgraph's `_entities` resolver, asked for a __typename the schema does not have (a plain Error). */
const UNKNOWN_ENTITY_TYPE = /^The _entities resolver tried to load an entity for type /;

/**
 * A graphql-js error from any copy of graphql: `instanceof` is not enough, since vitest loads
 * graphql's ESM build for our code while Apollo, run by Node, loads its CommonJS build.
 */
const isGraphQLError = (error: unknown): error is GraphQLError =>
  error instanceof Error && typeof (error as { extensions?: unknown }).extensions === 'object' && (error as { extensions?: unknown }).extensions !== null;

const isRegistryCode = (code: unknown): code is ErrorCode => typeof code === 'string' && Object.hasOwn(ERROR_CODES, code) && code !== 'INTERNAL_SERVER_ERROR';

/**
 * A GraphQLError the gateway raised on purpose, with a code of its registry: one thrown by a
 * plugin before execution (COST_LIMIT_EXCEEDED, CALLER_BUDGET_EXCEEDED) or a resolver, or one
 * reported by a validation rule of ours. Apollo wraps validation errors in its ValidationError,
 * which overwrites extensions.code with GRAPHQL_VALIDATION_FAILED but keeps the rule's error as
 * originalError; the code is taken from there.
 */
function registryCode(error: unknown, original: unknown): ErrorCode | null {
  for (const candidate of [isGraphQLError(error) ? error.originalError : undefined, original]) {
    if (isGraphQLError(candidate) && isRegistryCode(candidate.extensions.code)) return candidate.extensions.code;
  }
  return null;
}

/** The formatted extensions, minus what must not reach the caller (Apollo has already turned `http` into the status and headers). */
function publicExtensions(formatted: GraphQLFormattedError, code: ErrorCode): Record<string, unknown> {
  const { http: _http, stacktrace: _stacktrace, ...rest } = formatted.extensions ?? {};
  return { ...rest, code };
}

export function createFormatError(log: (error: unknown) => void) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const base = { locations: formatted.locations, path: formatted.path };
    if (original instanceof AnypointError) {
      const code = original.status !== null && REQUEST_TOO_LONG.has(original.status) ? 'BAD_USER_INPUT' : FROM_UPSTREAM[original.code];
      const extensions: Record<string, unknown> = { code };
      if (original.status !== null) extensions.upstreamStatus = original.status;
      return { ...base, message: upstreamMessage(original, code), extensions };
    }
    // Messages that name an id or a username repeat the caller's input: truncateEchoes keeps a 900 KB variable out of the answer.
    if (original instanceof GatewayError) return { ...base, message: truncateEchoes(original.message), extensions: { code: original.code } };
    if (original instanceof LockTimeoutError || original instanceof LockUnavailableError) {
      return { ...base, message: `${ERROR_CODES[original.code]}`, extensions: { code: original.code } };
    }
    if (isGraphQLError(original) && original.extensions.code === undefined && original.message === HASH_MISMATCH) {
      return { ...base, message: ERROR_CODES.PERSISTED_QUERY_HASH_MISMATCH, extensions: { code: 'PERSISTED_QUERY_HASH_MISMATCH' } };
    }
    const registered = registryCode(error, original);
    if (registered) return { ...base, message: truncateEchoes(formatted.message), extensions: publicExtensions(formatted, registered) };
    // Parse, validation and variable errors are raised before any resolver ran, so they have no path.
    const apolloCode = formatted.extensions?.code;
    if (!formatted.path && typeof apolloCode === 'string' && APOLLO_CODES.has(apolloCode)) {
      return { ...base, message: truncateEchoes(formatted.message), extensions: { code: apolloCode } };
    }
    // The router (or a caller) asked for a type this subgraph does not have: their mistake, not ours.
    if (original instanceof Error && !isGraphQLError(original) && UNKNOWN_ENTITY_TYPE.test(original.message)) {
      return { ...base, message: truncateEchoes(original.message), extensions: { code: 'BAD_USER_INPUT' } };
    }
    log(original);
    return { ...base, message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}

function upstreamMessage(error: AnypointError, code: ErrorCode): string {
  // Anypoint's message may repeat what the gateway sent it (an id taken from the caller).
  const detail = error.upstreamMessage ? `: ${truncateEchoes(error.upstreamMessage)}` : '';
  return `${ERROR_CODES[code].split(/[.(]/)[0]!.trim()} (Anypoint ${error.method} ${error.route}${error.status ? ` answered ${error.status}` : ''})${detail}`;
}
