import { AnypointError } from '../anypoint/errors.js';
import { GatewayError } from '../errors.js';
import type { Outcome } from '../provisioning/index.js';
import type { UserError, UserErrorCode } from '../provisioning/user-errors.js';
import { ScimError, type ScimType } from './errors.js';

/**
 * The provisioning engine's refusals as SCIM errors: the same rules, told the way an identity
 * provider acts on them (409 uniqueness makes Okta link instead of create, 404 makes it forget).
 */
const REFUSALS: Record<UserErrorCode, [number, ScimType | undefined]> = {
  USERNAME_INVALID: [400, 'invalidValue'],
  USERNAME_TAKEN: [409, 'uniqueness'],
  EMAIL_INVALID: [400, 'invalidValue'],
  EMAIL_IMMUTABLE: [400, 'mutability'],
  NAME_INVALID: [400, 'invalidValue'],
  PHONE_INVALID: [400, 'invalidValue'],
  USER_NOT_FOUND: [404, undefined],
  // SCIM_ORGANIZATION_ID is checked at start; a business group deleted since is the operator's to fix.
  ORGANIZATION_NOT_FOUND: [503, undefined],
  GROUP_ID_INVALID: [400, 'invalidValue'],
  GROUP_NOT_LINKED: [404, undefined],
  GROUP_NAME_CONFLICT: [409, 'uniqueness'],
  TEAM_HAS_CHILDREN: [409, undefined],
  TOO_MANY_MEMBERS: [400, 'invalidValue'],
  // SCIM has no allowLargeRemoval: an admin lets one through with GraphQL pushGroup (docs/scim.md).
  LARGE_REMOVAL_REFUSED: [400, 'invalidValue'],
  TEAM_EXISTS: [409, 'uniqueness'],
  IDEMPOTENCY_KEY_INVALID: [400, 'invalidValue'],
  IDEMPOTENCY_KEY_REUSED: [409, undefined],
  UPSTREAM_REJECTED: [400, 'invalidValue'],
};

/** SCIM words for the engine's field names, so a detail names the attribute the caller sent. */
const ATTRIBUTES: Record<string, string> = {
  username: 'userName',
  newUsername: 'userName',
  firstName: 'name.givenName',
  lastName: 'name.familyName',
  email: 'emails',
  phoneNumber: 'phoneNumbers',
  displayName: 'displayName',
  members: 'members',
};

export function refusal(error: UserError): ScimError {
  const [status, scimType] = REFUSALS[error.code];
  const field = error.field?.[error.field.length - 1];
  const attribute = field ? ATTRIBUTES[field] : undefined;
  return new ScimError(status, attribute ? `${attribute}: ${error.message}` : error.message, scimType);
}

/** The outcome's result, or the SCIM error its first refusal is. */
export function resultOf<R>(outcome: Outcome<R>): R | null {
  if (outcome.userErrors.length) throw refusal(outcome.userErrors[0]!);
  return outcome.result;
}

/** Failures that are nobody's input: the platform, the audit trail, or a bug (masked). */
export function failure(error: unknown): ScimError {
  if (error instanceof ScimError) return error;
  if (error instanceof GatewayError && error.code === 'AUDIT_UNAVAILABLE') return new ScimError(503, error.message, undefined, { 'retry-after': '30' });
  if (error instanceof AnypointError) {
    if (error.code === 'RATE_LIMITED') return new ScimError(503, 'Anypoint is rate limiting the gateway; retry later', undefined, { 'retry-after': '60' });
    if (error.code === 'TIMEOUT' || error.code === 'UPSTREAM_UNAVAILABLE') return new ScimError(503, 'Anypoint did not answer; retry later', undefined, { 'retry-after': '30' });
    return new ScimError(502, `Anypoint refused the request (${error.code})`);
  }
  return new ScimError(500, 'Internal error');
}
