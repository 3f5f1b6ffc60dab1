import { userError, type UserError } from './user-errors.js';

/**
 * Input rules checked before anything is read or written. The platform's own rules for usernames
 * (case-sensitive; letters, digits and underscore) are repeated here so that a dry run and a bad
 * input cost no upstream call.
 */
const USERNAME = /^[A-Za-z0-9_]{1,64}$/;
// Deliberately plain: one @, no spaces, a dot in the domain. Anypoint sends the reset link there.
const EMAIL = /^[^\s@]{1,64}@[^\s@.]+(\.[^\s@.]+)+$/;
const PHONE = /^\+?[0-9 ()\-.]{3,30}$/;
const MAX_NAME = 255;

export function checkUsername(value: string, field = 'username'): UserError[] {
  return USERNAME.test(value)
    ? []
    : [userError('USERNAME_INVALID', field, `The username "${value.slice(0, 80)}" must be 1-64 letters, digits or underscores`)];
}

export function checkEmail(value: string, field = 'email'): UserError[] {
  return EMAIL.test(value) && value.length <= 254 ? [] : [userError('EMAIL_INVALID', field, `"${value.slice(0, 80)}" is not a valid e-mail address`)];
}

export function checkName(value: string | null | undefined, field: string, required: boolean): UserError[] {
  if (value === undefined || (value === null && !required)) return [];
  const trimmed = (value ?? '').trim();
  if (!trimmed) return [userError('NAME_INVALID', field, `${field} must not be empty`)];
  if (trimmed.length > MAX_NAME) return [userError('NAME_INVALID', field, `${field} must be at most ${MAX_NAME} characters`)];
  return [];
}

export function checkPhone(value: string | null | undefined, field = 'phoneNumber'): UserError[] {
  if (value === undefined || value === null || value === '') return [];
  return PHONE.test(value) ? [] : [userError('PHONE_INVALID', field)];
}

export function checkGroupId(value: string): UserError[] {
  return value.trim() && value.length <= 255 ? [] : [userError('GROUP_ID_INVALID', 'groupId')];
}

export function checkIdempotencyKey(value: string | null | undefined): UserError[] {
  if (value === undefined || value === null) return [];
  return value.trim() && value.length <= 255 ? [] : [userError('IDEMPOTENCY_KEY_INVALID', 'idempotencyKey')];
}
