import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { AnypointError, type AnypointErrorCode } from '../anypoint/errors.js';
import { ERROR_CODES, GatewayError, type ErrorCode } from '../errors.js';
import { LockTimeoutError, LockUnavailableError } from '../provisioning/locks.js';

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

export function createFormatError(log: (error: unknown) => void) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const base = { locations: formatted.locations, path: formatted.path };
    if (original instanceof AnypointError) {
      const code = FROM_UPSTREAM[original.code];
      const extensions: Record<string, unknown> = { code };
      if (original.status !== null) extensions.upstreamStatus = original.status;
      return { ...base, message: upstreamMessage(original, code), extensions };
    }
    if (original instanceof GatewayError) return { ...base, message: original.message, extensions: { code: original.code } };
    if (original instanceof LockTimeoutError || original instanceof LockUnavailableError) {
      return { ...base, message: `${ERROR_CODES[original.code]}`, extensions: { code: original.code } };
    }
    // Parse, validation and variable errors are raised before any resolver ran, so they have no path.
    const apolloCode = formatted.extensions?.code;
    if (!formatted.path && typeof apolloCode === 'string' && APOLLO_CODES.has(apolloCode)) {
      return { ...base, message: formatted.message, extensions: { code: apolloCode } };
    }
    log(original);
    return { ...base, message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}

function upstreamMessage(error: AnypointError, code: ErrorCode): string {
  const detail = error.upstreamMessage ? `: ${error.upstreamMessage}` : '';
  return `${ERROR_CODES[code].split(/[.(]/)[0]!.trim()} (Anypoint ${error.method} ${error.route}${error.status ? ` answered ${error.status}` : ''})${detail}`;
}
