/**
 * Domain errors of the provisioning mutations: returned in a payload's `userErrors`, never as
 * GraphQL errors, because the caller (an identity provider) must act on each one. docs/provisioning.md's
 * table of user error codes is checked against this registry by a test.
 */
export const USER_ERROR_CODES = {
  USERNAME_INVALID: 'The username is empty, too long, or has characters other than letters, digits and underscore.',
  USERNAME_TAKEN: 'The username is used by another user, now or in the past (usernames are never reusable).',
  EMAIL_INVALID: "The e-mail address is not valid: the HTML standard's rule (ASCII, one @) with a dot in the domain, the rule the EmailAddress scalar returns e-mails by.",
  EMAIL_IMMUTABLE: 'The e-mail of an existing user cannot change.',
  NAME_INVALID: 'A first name, last name or group display name is empty, too long, or holds control, format or invisible characters (NUL, bidi overrides, zero-width spaces).',
  PHONE_INVALID: 'The phone number has characters other than digits, spaces and + ( ) - .',
  USER_NOT_FOUND: 'No user with that id exists in the organization.',
  ORGANIZATION_NOT_FOUND: 'No business group with that id exists.',
  GROUP_ID_INVALID: 'The group id is empty, longer than 255 characters, or holds control, format or invisible characters.',
  GROUP_NOT_LINKED: 'No team was ever pushed for that group id.',
  GROUP_NAME_CONFLICT: 'Another team under the root team already has that name and belongs to a different group.',
  TEAM_EXISTS: 'A team under the root team already has that name and no group is linked to it; push with adoptExistingTeam: true to take it over.',
  TEAM_HAS_CHILDREN: "The group's team has child teams, so it cannot be deleted.",
  TOO_MANY_MEMBERS: 'A group push lists more members than the gateway accepts in one call.',
  LARGE_REMOVAL_REFUSED: "A group push or change would remove more than PROVISIONING_MAX_REMOVAL_SHARE of the members of a team of more than PROVISIONING_LARGE_TEAM_MEMBERS; nothing was written. Push again with allowLargeRemoval: true if it is meant.",
  IDEMPOTENCY_KEY_INVALID: 'The idempotency key is empty, longer than 255 characters, or holds control, format or invisible characters.',
  IDEMPOTENCY_KEY_REUSED: 'The idempotency key was used within its lifetime for a different input.',
  UPSTREAM_REJECTED: 'Anypoint refused the input (its message is included).',
} as const;

export type UserErrorCode = keyof typeof USER_ERROR_CODES;

export interface UserError {
  code: UserErrorCode;
  /** Path to the input field, e.g. ["input", "username"]; null when it concerns no one field. */
  field: string[] | null;
  message: string;
}

export const userError = (code: UserErrorCode, field: string | null, message: string = USER_ERROR_CODES[code]): UserError => ({
  code,
  field: field === null ? null : ['input', field],
  message,
});

/** Thrown by a write step whose refusal is the caller's to fix (e.g. a username taken by a deleted user). */
export class RejectedWrite extends Error {
  constructor(readonly userError: UserError) {
    super(userError.message);
    this.name = 'RejectedWrite';
  }
}
