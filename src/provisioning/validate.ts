import { ECHO_LIMIT } from '../errors.js';
import { isEmailAddress } from './email-address.js';
import { hasHiddenOrControl } from './text-rules.js';
import { userError, type UserError } from './user-errors.js';

/**
 * Input rules checked before anything is read or written. The platform's own rules for usernames
 * (case-sensitive; letters, digits and underscore) are repeated here so that a dry run and a bad
 * input cost no upstream call.
 */
const USERNAME = /^[A-Za-z0-9_]{1,64}$/;
const PHONE = /^\+?[0-9 ()\-.]{3,30}$/;
const MAX_NAME = 255;
const MAX_KEY = 255;

/**
 * An input value as a message may quote it: at most ECHO_LIMIT characters (and an ellipsis), the
 * limit every error message keeps to, with its hidden characters made visible.
 */
export const quote = (value: string) => JSON.stringify(value.length > ECHO_LIMIT ? `${value.slice(0, ECHO_LIMIT)}…` : value);

export function checkUsername(value: string, field = 'username'): UserError[] {
  return USERNAME.test(value) ? [] : [userError('USERNAME_INVALID', field, `The username ${quote(value)} must be 1-64 letters, digits or underscores`)];
}

/** The same rule as the EmailAddress scalar's, so that every e-mail written can be read back. */
export function checkEmail(value: string, field = 'email'): UserError[] {
  if (isEmailAddress(value)) return [];
  return [userError('EMAIL_INVALID', field, `${quote(value)} is not a valid e-mail address (ASCII, one @, a dot in the domain; an international domain in its xn-- form)`)];
}

export function checkName(value: string | null | undefined, field: string, required: boolean): UserError[] {
  if (value === undefined || (value === null && !required)) return [];
  const name = value ?? '';
  // Checked before trimming: a name padded with a newline or a bidi override is refused, not cleaned.
  if (hasHiddenOrControl(name)) return [userError('NAME_INVALID', field, `${field} must not contain control, format or invisible characters`)];
  const trimmed = name.trim();
  if (!trimmed) return [userError('NAME_INVALID', field, `${field} must not be empty`)];
  if (trimmed.length > MAX_NAME) return [userError('NAME_INVALID', field, `${field} must be at most ${MAX_NAME} characters`)];
  return [];
}

export function checkPhone(value: string | null | undefined, field = 'phoneNumber'): UserError[] {
  if (value === undefined || value === null || value === '') return [];
  return PHONE.test(value) ? [] : [userError('PHONE_INVALID', field)];
}

/** An identity provider's id: any printable text, since ids differ by provider. */
export function checkGroupId(value: string): UserError[] {
  return isPrintableKey(value) ? [] : [userError('GROUP_ID_INVALID', 'groupId')];
}

export function checkIdempotencyKey(value: string | null | undefined): UserError[] {
  if (value === undefined || value === null) return [];
  return isPrintableKey(value) ? [] : [userError('IDEMPOTENCY_KEY_INVALID', 'idempotencyKey')];
}

const isPrintableKey = (value: string) => value.trim() !== '' && value.length <= MAX_KEY && !hasHiddenOrControl(value);

/**
 * Whether a value may be an id the platform handed out (a user's, an organization's). Ids never
 * hold hidden or control characters, and one that did could not even be put into a request path
 * (encodeURIComponent throws on an unpaired surrogate): such an id names nothing, with no call.
 */
export const mayBeAnId = (value: string): boolean => value.trim() !== '' && !hasHiddenOrControl(value);
